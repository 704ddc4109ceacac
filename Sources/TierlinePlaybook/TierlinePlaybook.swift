// The TierlinePlaybook module.
