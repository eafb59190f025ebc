import Foundation

/// Where the independent peers live. `scripts/setup` (run by `make test`) installs them.
enum Peers {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static var python: String { try! require(repositoryRoot.appendingPathComponent(".venv/bin/python").path) }
    static var pahoPuppet: String { repositoryRoot.appendingPathComponent("Tests/Peers/paho_puppet.py").path }
    static var numberedPublisher: String {
        repositoryRoot.appendingPathComponent("Tests/Peers/numbered_publisher.py").path
    }
    static var mosquittoSub: String { try! require("/usr/bin/mosquitto_sub") }
    static var mosquittoPub: String { try! require("/usr/bin/mosquitto_pub") }
    static var mosquitto: String { try! require("/usr/sbin/mosquitto") }

    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing: run scripts/setup (make test does) to install the test peers" }
    }

    static func require(_ path: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
