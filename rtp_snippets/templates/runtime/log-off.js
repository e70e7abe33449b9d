// No debug log (benchmarks/bundle_size.py measures what the log costs with this).
function log() {}
