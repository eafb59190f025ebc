import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a short helper program (openssl) to completion, output discarded, and returns its exit
/// status.
///
/// `posix_spawn` and `waitpid` instead of Foundation's `Process.waitUntilExit()`: on Linux that
/// call can wait for ever when the child exits before its run-loop source is set up, and it sits
/// on a thread of Swift's cooperative pool (two threads on this machine) while it does, which
/// once stalled the whole test run.
func runToCompletion(_ executable: String, _ arguments: [String]) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SpawnFailed(executable: executable, error: spawned) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else { throw SpawnFailed(executable: executable, error: errno) }
    }
    // WIFEXITED / WEXITSTATUS, and 128 + the signal otherwise, as shells report it.
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

struct SpawnFailed: Error, CustomStringConvertible {
    var executable: String
    var error: Int32
    var description: String { "could not run \(executable): \(String(cString: strerror(error)))" }
}
