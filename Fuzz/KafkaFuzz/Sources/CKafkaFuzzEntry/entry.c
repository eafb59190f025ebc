// SwiftPM links an executable target with `--defsym main=<Target>_main` and expects the Swift
// module to define that symbol. A libFuzzer target is built with -parse-as-library and has no
// entry point of its own, so this function supplies the symbol and runs libFuzzer's driver, which
// calls LLVMFuzzerTestOneInput (defined in Swift with @_cdecl) for every input.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int KafkaFuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
