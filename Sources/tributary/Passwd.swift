import ArgumentParser
import Broker
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tributary passwd FILE USER`: adds a user to the password file or changes their password.
struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add or update a user in a password file (auth.password-file).",
        discussion: """
            The password is read from --password, else prompted for (twice, without echo) on a
            terminal, else read from the first line of standard input. Other lines of the file are
            kept; the file is replaced atomically and readable by its owner only (mode 0600).
            """
    )

    @Argument(help: "The password file; created when missing.")
    var file: String

    @Argument(help: "The user name (no ':').")
    var user: String

    @Option(help: "The password (for scripts; it is visible in the process list).")
    var password: String?

    @Option(help: "PBKDF2 iterations (at least 210000).")
    var iterations: Int = PasswordHash.defaultIterations

    func validate() throws {
        guard PasswordFile.isValidUsername(user) else {
            throw ValidationError("a user name must be non-empty and contain no ':' or line break")
        }
        guard iterations >= PasswordHash.defaultIterations, iterations <= PasswordHash.maximumIterations else {
            throw ValidationError("--iterations must be between 210000 and \(PasswordHash.maximumIterations)")
        }
    }

    func run() throws {
        var passwords = PasswordFile()
        if FileManager.default.fileExists(atPath: file) {
            do {
                passwords = try PasswordFile(parsing: try String(contentsOfFile: file, encoding: .utf8))
            } catch {
                printToStandardError("\(file): \(error)")
                throw ExitCode(1)
            }
        }
        let secret = try readPassword()
        guard !secret.isEmpty else {
            printToStandardError("passwd: empty password refused")
            throw ExitCode(1)
        }
        let isNew = passwords.setHash(
            PasswordHash.make(password: Array(secret.utf8), iterations: iterations),
            for: user
        )
        try writeAtomically(passwords.text, to: file)
        print(isNew ? "added user \(user) to \(file)" : "updated the password of \(user) in \(file)")
    }

    private func readPassword() throws -> String {
        if let password { return password }
        if isatty(STDIN_FILENO) == 1 {
            let first = try prompt("Password for \(user): ")
            let second = try prompt("Again: ")
            guard first == second else {
                printToStandardError("passwd: the passwords differ")
                throw ExitCode(1)
            }
            return first
        }
        return readLine(strippingNewline: true) ?? ""
    }

    /// Reads one line from the terminal with echo off. Echo goes off before the prompt is shown
    /// and nothing typed ahead is flushed (TCSANOW, not TCSAFLUSH): a quick typist or a paste
    /// right after the prompt must neither be echoed nor lost.
    private func prompt(_ text: String) throws -> String {
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(text.utf8))
        return readLine(strippingNewline: true) ?? ""
    }

    /// Writes `text` to a new file beside `path` (mode 0600), fsyncs it and renames it over
    /// `path`, so readers see the old file or the new one, never half of one.
    private func writeAtomically(_ text: String, to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            printToStandardError("passwd: cannot create \(temporary): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        let bytes = Array(text.utf8)
        var written = 0
        var failed = false
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                failed = true
                break
            }
            written += result
        }
        failed = failed || fsync(descriptor) != 0
        close(descriptor)
        guard !failed, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            printToStandardError("passwd: cannot write \(path): \(reason)")
            throw ExitCode(1)
        }
    }
}
