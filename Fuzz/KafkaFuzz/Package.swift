// swift-tools-version:6.1
// Fuzzing and checking tools for the KafkaProtocol module, kept out of the main package so their
// sanitizer flags and executables stay out of `swift build` there.
//
//  - KafkaFuzz: a libFuzzer target for the response decoders and the record-batch decoder,
//    built with `-sanitize=fuzzer,address` by ../../scripts/fuzz-kafka.
//  - KafkaProbe: sends every request in every version we implement to a real broker (tansu) and
//    decodes the answers; also prints CRC32C throughput of both implementations.
import PackageDescription

let package = Package(
    name: "KafkaFuzz",
    dependencies: [
        .package(name: "tributary", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CKafkaFuzzEntry"),
        .executableTarget(
            name: "KafkaFuzz",
            dependencies: [
                "CKafkaFuzzEntry",
                .product(name: "KafkaProtocol", package: "tributary"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "KafkaProbe",
            dependencies: [
                .product(name: "KafkaProtocol", package: "tributary"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
