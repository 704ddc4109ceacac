// The TierlineLedger module.
