// The TierlineStore module.
