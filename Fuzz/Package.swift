// swift-tools-version:6.1
// libFuzzer targets for Tributary; not part of `make test`. Build and run with
// `scripts/fuzz-mqtt [RUNS]` (it passes -sanitize=fuzzer,address and -parse-as-library: libFuzzer
// provides `main`, and the target provides `LLVMFuzzerTestOneInput`).
import PackageDescription

let package = Package(
    name: "TributaryFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tributary", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CFuzzerEntryPoint"),
        .executableTarget(
            name: "FuzzMQTTDecoder",
            dependencies: [
                "CFuzzerEntryPoint",
                .product(name: "MQTTCodec", package: "tributary"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
