import Foundation

/// Reads a whole file given on the command line.
/// - Throws: `CommandFailure` with exit code 1 naming the path when it cannot be read.
func readFile(_ path: String, purpose: String) throws -> [UInt8] {
  guard let data = FileManager.default.contents(atPath: path) else {
    let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
    throw CommandFailure(
      message: "\(purpose) file \(reason) (\(path)): check the path and its permissions",
      exitCode: .failure)
  }
  return [UInt8](data)
}
