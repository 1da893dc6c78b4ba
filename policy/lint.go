package policy

// lint reports settings that are legal but risky (see Warning). New calls
// it once the config has validated, and appends its findings to the
// policy's Warnings.
//
// Owned by the corsctl work (issue 5): broad regexes, "*" where a list
// would do, maxAge above browser caps, private network access, shadowed
// routes. Validation-time warnings (public-suffix wildcards without
// credentials) are emitted by New itself.
func lint(cfg *Config) []Warning {
	_ = cfg
	return nil
}
