import Foundation

/// Reads a playbook file, leaving out a UTF-8 byte order mark at its start, as the
/// events and CSV readers do.
func readPlaybookFile(_ path: String, purpose: String) throws -> [UInt8] {
  let bytes = try readFile(path, purpose: purpose)
  return bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
}

/// Reads a whole file given on the command line.
/// - Throws: `CommandFailure` with exit code 1 naming the path when it cannot be read.
func readFile(_ path: String, purpose: String) throws -> [UInt8] {
  var isDirectory: ObjCBool = false
  let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
  if exists, isDirectory.boolValue {
    throw CommandFailure(
      message: "\(purpose) file is a directory (\(path)): give the path of a file",
      exitCode: .failure)
  }
  guard let data = FileManager.default.contents(atPath: path) else {
    let reason = exists ? "cannot be read" : "does not exist"
    throw CommandFailure(
      message: "\(purpose) file \(reason) (\(path)): check the path and its permissions",
      exitCode: .failure)
  }
  guard !data.isEmpty else {
    throw CommandFailure(
      message: "\(purpose) file is empty (\(path)): give a file with content",
      exitCode: .failure)
  }
  return [UInt8](data)
}
