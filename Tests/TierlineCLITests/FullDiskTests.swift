import Foundation
import Testing

/// Mounting a 2 MiB tmpfs needs root and `mount`; elsewhere the suite is skipped.
private let canMountTmpfs: Bool = {
  guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else {
    return false
  }
  guard let probe = try? TemporaryDirectory() else { return false }
  guard TmpfsMount.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.url.path])
  else { return false }
  return TmpfsMount.run("/bin/umount", [probe.url.path])
}()

/// A small tmpfs mounted over a temporary directory and unmounted when released.
final class TmpfsMount {
  let directory: TemporaryDirectory

  init(bytes: Int) throws {
    directory = try TemporaryDirectory()
    let mounted = Self.run(
      "/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", directory.url.path])
    try #require(mounted)
  }

  deinit {
    _ = Self.run("/bin/umount", [directory.url.path])
  }

  /// Runs a program and returns whether it exited with 0.
  static func run(_ path: String, _ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }
}

@Suite("Full disk", .enabled(if: canMountTmpfs, "needs root to mount a tmpfs"))
struct FullDiskTests {
  /// Returns the path of a new ledger on `mount` that contains one landing.
  func ledgerWithLanding(on mount: TmpfsMount) throws -> String {
    let store = mount.directory.path("ledger")
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    let appended = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("first", account: "a", at: "2024-01-10T09:00:00Z"))
    #expect(appended.status == 0, "\(appended.standardError)")
    return store
  }

  @Test("append that does not fit stores nothing")
  func appendOnFullDisk() throws {
    let mount = try TmpfsMount(bytes: 2 << 20)
    let store = try ledgerWithLanding(on: mount)

    // About 4 MB of records, twice the size of the file system.
    var lines = [Line.landed("big-0", account: "big", at: "2024-01-10T09:00:00Z")]
    for index in 1..<30_000 {
      lines.append(Line.usage("big-\(index)", account: "big", at: "2024-01-11T09:00:00Z"))
    }
    let big = try Tierline.run(
      ["--store", store, "append", "-"], input: lines.joined(separator: "\n"))
    #expect(big.status == 1, "\(big.standardError)")
    #expect(big.standardError.contains("full"), "\(big.standardError)")

    let verified = try Tierline.run(["--store", store, "verify", "--json"])
    #expect(verified.status == 0, "\(verified.standardOutput)")
    let report = try #require(try verified.jsonLines().first)
    #expect(report["records"] as? Int == 1)

    // The ledger still takes a batch that fits.
    let after = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("second", account: "a", at: "2024-01-11T09:00:00Z"))
    #expect(after.status == 0, "\(after.standardError)")
  }

  @Test("compact that does not fit changes nothing")
  func compactOnFullDisk() throws {
    let mount = try TmpfsMount(bytes: 16 << 20)
    let store = mount.directory.path("ledger")
    try #require(try Tierline.run(["--store", store, "init"]).status == 0)
    let generated = try Tierline.run(["generate", "--accounts", "20", "--seed", "3"])
    try #require(generated.status == 0)
    let appended = try Tierline.run(
      ["--store", store, "append", "--batch-size", "50", "--no-merge", "-"],
      input: generated.standardOutput)
    try #require(appended.status == 0, "\(appended.standardError)")
    let runs = try Tierline.verifyReport(of: store)["index_runs"] as? Int ?? 0
    try #require(runs > 1)

    // A file that leaves 64 KiB free, less than a new copy of the indexes.
    var fileSystem = statvfs()
    try #require(statvfs(mount.directory.url.path, &fileSystem) == 0)
    let free = Int(fileSystem.f_bavail) * Int(fileSystem.f_frsize)
    let filler = mount.directory.path("filler")
    try #require(
      FileManager.default.createFile(atPath: filler, contents: Data(count: free - (64 << 10))))

    let full = try Tierline.run(["--store", store, "compact"])
    #expect(full.status == 1, "\(full.standardOutput)")
    #expect(full.standardError.contains("is full"), "\(full.standardError)")
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == runs)

    try FileManager.default.removeItem(atPath: filler)
    let merged = try Tierline.run(["--store", store, "compact"])
    #expect(merged.status == 0, "\(merged.standardError)")
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 1)
  }

  @Test("read-only file system is read")
  func readOnlyFileSystem() throws {
    let mount = try TmpfsMount(bytes: 4 << 20)
    let store = try ledgerWithLanding(on: mount)
    let remounted = TmpfsMount.run(
      "/bin/mount", ["-o", "remount,ro", mount.directory.url.path])
    try #require(remounted)

    let copies = try TemporaryDirectory()
    let backup = ["backup", copies.path("backup")]
    // One run leaves nothing to merge, so compact changes nothing and succeeds.
    for command in [
      ["replay", "--json"], ["verify"], ["why", "a"], ["log", "a"], backup, ["compact"],
    ] {
      let result = try Tierline.run(["--store", store] + command)
      #expect(result.status == 0, "\(command): \(result.standardError)")
    }
    let write = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("second", account: "a", at: "2024-01-11T09:00:00Z"))
    #expect(write.status == 1)
    #expect(write.standardError.contains("read-only"), "\(write.standardError)")
  }
}
