import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reads a playbook file, leaving out a UTF-8 byte order mark at its start, as the
/// events and CSV readers do.
func readPlaybookFile(_ path: String, purpose: String) throws -> [UInt8] {
  // A ledger stores playbooks of up to 1 MiB as canonical JSON; the file may be laid
  // out more loosely.
  let bytes = try readFile(path, purpose: purpose, maximumBytes: 16 << 20)
  return bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
}

/// Reads a whole file given on the command line; `-` is standard input.
///
/// The file is read to its end with `read(2)`, so pipes, `/dev/stdin` and process
/// substitutions work as regular files do.
/// A file larger than `maximumBytes` is rejected as soon as that many bytes are read,
/// so an endless source such as `/dev/zero` ends with an error instead of exhausting
/// memory.
/// - Throws: `CommandFailure` naming the path, with exit code 1 when it cannot be read, is
///   a directory or is too large, and 65 when it is empty or contains only blank lines.
func readFile(_ path: String, purpose: String, maximumBytes: Int = 1 << 30) throws -> [UInt8] {
  var isDirectory: ObjCBool = false
  let exists =
    path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
  if exists, isDirectory.boolValue {
    throw CommandFailure(
      message: "\(purpose) file is a directory (\(path)): give the path of a file",
      exitCode: .failure)
  }
  if path != "-" { noteFIFOWait(path) }
  let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
  guard descriptor >= 0 else {
    let reason = exists ? "cannot be read (\(String(cString: strerror(errno))))" : "does not exist"
    throw CommandFailure(
      message: "\(purpose) file \(reason) (\(path)): check the path and its permissions",
      exitCode: .failure)
  }
  defer { if descriptor != 0 { close(descriptor) } }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR { continue }
      throw CommandFailure(
        message: "\(purpose) file cannot be read (\(path)): \(String(cString: strerror(errno)))",
        exitCode: .failure)
    }
    if count == 0 { break }
    bytes.append(contentsOf: chunk[..<count])
    guard bytes.count <= maximumBytes else {
      throw CommandFailure(
        message: "\(purpose) file is larger than \(maximumBytes) bytes (\(path)): give a "
          + "smaller file",
        exitCode: .failure)
    }
  }
  // Content is what an empty file lacks, so it is invalid input, as for `append`.
  guard !bytes.isEmpty else {
    throw CommandFailure(
      message: "\(purpose) file is empty (\(path)): give a file with content",
      exitCode: .dataError)
  }
  // A byte-order mark alone, as some editors save an empty file, is no content either.
  let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
  guard content.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
    throw CommandFailure(
      message: "\(purpose) file contains only blank lines (\(path)): give a file with content",
      exitCode: .dataError)
  }
  return bytes
}

/// Writes `bytes` to `path`, replacing the file, and returns the system's reason when it
/// fails, or nil.
func writeWholeFile(_ path: String, bytes: [UInt8]) -> String? {
  let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard descriptor >= 0 else { return String(cString: strerror(errno)) }
  var offset = 0
  while offset < bytes.count {
    let written = bytes.withUnsafeBytes { buffer in
      write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
    }
    if written < 0 {
      if errno == EINTR { continue }
      let reason = String(cString: strerror(errno))
      close(descriptor)
      return reason
    }
    offset += written
  }
  guard close(descriptor) == 0 else { return String(cString: strerror(errno)) }
  return nil
}

/// Writes a note to a terminal when `path` is a named pipe. Opening one waits until a
/// program opens it to write.
func noteFIFOWait(_ path: String) {
  var status = stat()
  guard isatty(2) != 0, stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else {
    return
  }
  writeToStandardError("waiting for a program to write to the named pipe \(path)\n")
}

/// A symbolic link on a path whose target does not exist.
struct DanglingSymbolicLink {
  /// The link: the path itself, or one of its parent directories.
  var link: String
  /// The missing path that the link leads to, after any further links.
  var target: String
}

/// Returns the first of `path` and its parent directories that is a symbolic link to a
/// missing path, or nil when there is none.
///
/// Creating a directory through such a link fails with ENOENT, which names neither the
/// link nor its target.
func danglingSymbolicLink(in path: String) -> DanglingSymbolicLink? {
  var prefix = path.hasPrefix("/") ? "/" : ""
  for component in path.split(separator: "/") {
    prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
    var status = stat()
    // A missing directory ends the search, because init creates it and the rest of the
    // path. The store reports any other lstat error itself.
    guard lstat(prefix, &status) == 0 else { return nil }
    guard status.st_mode & S_IFMT == S_IFLNK else { continue }
    if stat(prefix, &status) != 0, errno == ENOENT {
      return DanglingSymbolicLink(link: prefix, target: missingTarget(of: prefix))
    }
  }
  return nil
}

/// Follows the symbolic link `link`, and the links it leads to, to the first path that is
/// not a link. A relative target is taken from the link's directory, as the system does.
private func missingTarget(of link: String) -> String {
  var current = link
  // Bounded, because the links may change while they are followed.
  for _ in 0..<40 {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current)
    else { break }
    if target.hasPrefix("/") {
      current = target
    } else if let slash = current.lastIndex(of: "/") {
      current = current[...slash] + target
    } else {
      current = target
    }
    var status = stat()
    guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { break }
  }
  return current
}
