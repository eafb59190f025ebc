// SwiftPM links an executable target with `--defsym main=<Target>_main`, expecting the Swift
// module to define its entry point under that name. A libFuzzer target has no entry point of its
// own (-parse-as-library); libFuzzer's driver is the program. This trampoline gives SwiftPM the
// symbol it wants and hands over to the driver, which calls LLVMFuzzerTestOneInput (defined in
// Swift with @_cdecl) for every input.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int FuzzMQTTDecoder_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
