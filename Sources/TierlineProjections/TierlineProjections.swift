// The TierlineProjections module.
