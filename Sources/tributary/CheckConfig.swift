import ArgumentParser
import Foundation
import TributaryConfiguration

/// `tributary check-config FILE`: validates a configuration file without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file: print every problem with its line, or a summary."
    )

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() throws {
        let configuration = try loadConfigurationOrExit(file)
        print("\(file): OK")
        for line in configuration.summary {
            print("  \(line)")
        }
        for warning in configuration.warnings {
            print("warning: \(warning)")
        }
    }
}

/// Loads a configuration file; on failure prints every problem to standard error and exits 1.
func loadConfigurationOrExit(_ path: String) throws -> TributaryConfiguration {
    do {
        return try TributaryConfiguration.load(contentsOf: path)
    } catch {
        for issue in error.issues {
            printToStandardError(issue.description)
        }
        let count = error.issues.count
        printToStandardError("\(path): \(count) \(count == 1 ? "error" : "errors")")
        throw ExitCode(1)
    }
}

func printToStandardError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
