// Nothing to import: this target only defines the symbol SwiftPM makes `main` (see the .c file).
#ifndef C_FUZZER_ENTRY_POINT_H
#define C_FUZZER_ENTRY_POINT_H
#endif
