# Sourced by the benchmark scripts: `veth_pair PREFIX` creates a network namespace `${PREFIX}$$`
# holding one end of a veth pair (MTU 9000, IPv6 off so the kernel sends nothing of its own) and
# sets $ns, $capture (the end outside, where capturers listen) and $replay (the end inside);
# `veth_cleanup` deletes both (also when the script fails, through the trap it installs).
veth_cleanup() {
    ip link delete "$capture" 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
}

veth_pair() {
    ns=$1$$
    capture=${1:0:3}$$c
    replay=${1:0:3}$$r
    trap veth_cleanup EXIT
    ip netns add "$ns"
    ip link add "$capture" mtu 9000 type veth peer name "$replay" mtu 9000 netns "$ns"
    sysctl -q -w "net.ipv6.conf.$capture.disable_ipv6=1"
    ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$replay.disable_ipv6=1"
    ip link set "$capture" up
    ip netns exec "$ns" ip link set "$replay" up
}
