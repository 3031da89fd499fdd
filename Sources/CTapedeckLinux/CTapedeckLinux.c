// Everything in this target is declared `static inline` in include/CTapedeckLinux.h; SwiftPM needs
// one source file to build the target.
#include "CTapedeckLinux.h"
