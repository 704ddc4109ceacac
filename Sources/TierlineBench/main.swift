import TierlineLedger

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tierline-bench COMMAND --option value ...`: in-process measurements of a ledger,
/// each printed as one JSON object per line. `tools/bench/run.sh` drives it.
let usage = """
  usage: tierline-bench ingest --events FILE --store DIR [--batch-size N]
         tierline-bench rebuild --store DIR [--threads N[,N...]] [--repeat N]
         tierline-bench query --store DIR [--samples N] [--warm-up N] [--seed N]
         tierline-bench scan --store DIR [--repeat N]
         tierline-bench decode --events FILE [--repeat N]
  """

// This runs before anything opens a ledger's files, which could take a closed number.
if let (name, reason) = openClosedStandardDescriptors() {
  let text = "error: \(name) is closed, and /dev/null cannot be opened in its place: \(reason)\n"
  _ = text.withCString { write(2, $0, strlen($0)) }
  exit(1)
}
// The same allocator settings as `tierline`, so the measurements match its use.
keepFreedMemoryForReuse()
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
  let text = usage + "\n"
  _ = text.withCString { write(1, $0, strlen($0)) }
  exit(0)
}
do {
  guard let command = arguments.first else { throw BenchFailure("missing command") }
  let options = try BenchOptions(arguments.dropFirst())
  switch command {
  case "ingest": try IngestBenchmark.run(options)
  case "rebuild": try RebuildBenchmark.run(options)
  case "query": try QueryBenchmark.run(options)
  case "scan": try LogScanBenchmark.run(options)
  case "decode": try DecodeBenchmark.run(options)
  default: throw BenchFailure("unknown command \(command)")
  }
} catch {
  let message = "error: \(error)\n\(usage)\n"
  _ = message.withCString { write(2, $0, strlen($0)) }
  exit(error is BenchFailure ? 64 : 1)
}
