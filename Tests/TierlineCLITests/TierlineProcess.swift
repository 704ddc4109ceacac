import Foundation
import Testing

/// The result of one run of the built `tierline` binary.
struct ProcessResult {
  var status: Int32
  var standardOutput: String
  var standardError: String

  /// Standard output split into non-empty lines.
  var lines: [String] {
    standardOutput.split(separator: "\n").map(String.init)
  }

  /// Standard output parsed as one JSON object per line.
  func jsonLines() throws -> [[String: Any]] {
    try lines.map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      return try #require(object as? [String: Any])
    }
  }
}

/// Runs the `tierline` binary that `swift build` placed next to the test bundle.
enum Tierline {
  /// The binary's path: $TIERLINE_BINARY, else `tierline` beside the running test bundle.
  static let binary: URL = {
    if let path = ProcessInfo.processInfo.environment["TIERLINE_BINARY"] {
      return URL(fileURLWithPath: path)
    }
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // The test runner may sit inside a `.xctest` bundle folder on some layouts.
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent("tierline")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return executable.deletingLastPathComponent().appendingPathComponent("tierline")
  }()

  /// Creates a ledger named `ledger` in `directory` with `tierline init` and returns its
  /// path.
  static func initializedStore(in directory: TemporaryDirectory, name: String = "ledger") throws
    -> String
  {
    let store = directory.path(name)
    let created = try run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    return store
  }

  /// Writes the built-in playbook to `path` with each quoted name of `renames` replaced by
  /// its quoted new name, and returns `path`.
  static func renamedPlaybook(at path: String, _ renames: [(String, String)]) throws -> String {
    var text = try String(
      contentsOfFile: ImportCommandTests.repositoryPath("playbooks/default.json"), encoding: .utf8)
    for (old, new) in renames {
      text = text.replacingOccurrences(of: "\"\(old)\"", with: "\"\(new)\"")
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Returns the JSON report of `tierline verify` on `store`, which must be intact.
  static func verifyReport(of store: String) throws -> [String: Any] {
    let result = try run(["--store", store, "verify", "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    return try #require(try result.jsonLines().first)
  }

  /// Runs `tierline ARGUMENTS` with `input` on standard input and waits for it.
  static func run(
    _ arguments: [String], input: String? = nil, environment: [String: String] = [:]
  ) throws -> ProcessResult {
    try run(arguments, inputData: input.map { Data($0.utf8) }, environment: environment)
  }

  /// Runs `tierline ARGUMENTS` with raw bytes on standard input.
  static func run(
    _ arguments: [String], inputData: Data?, environment: [String: String] = [:]
  ) throws -> ProcessResult {
    // A child that exits before reading all of its input must not kill the test runner.
    signal(SIGPIPE, SIG_IGN)
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    merged.removeValue(forKey: "TIERLINE_STORE")
    for (key, value) in environment { merged[key] = value }
    process.environment = merged

    let outputPipe = Pipe()
    let errorPipe = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = outputPipe
    process.standardError = errorPipe
    process.standardInput = inputPipe
    try process.run()

    // Feed standard input on another thread so a large input cannot deadlock with output.
    let writer = Thread {
      if let inputData { try? inputPipe.fileHandleForWriting.write(contentsOf: inputData) }
      try? inputPipe.fileHandleForWriting.close()
    }
    writer.start()
    let errorData = ErrorCollector(errorPipe.fileHandleForReading)
    let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
      status: process.terminationStatus,
      standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData.wait(), as: UTF8.self))
  }
}

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread {
      self.data = handle.readDataToEndOfFile()
      self.done.signal()
    }.start()
  }

  func wait() -> Data {
    done.wait()
    return data
  }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// A path inside the directory.
  func path(_ name: String) -> String {
    url.appendingPathComponent(name).path
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }
}
