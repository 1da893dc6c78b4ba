package policy

// WarningCode says what kind of risk a Warning reports. Tools match on it
// (corsctl does, to tell which public-suffix findings the engine already
// made), never on the message, whose wording may improve. The values are
// stable, lowercase and hyphenated, so they can also be printed or
// filtered on.
type WarningCode string

// The warnings New reports (see Policy.Warnings).
const (
	// WarnEmptyConfig: no rule at all, so every request passes untouched.
	WarnEmptyConfig WarningCode = "empty-config"
	// WarnPublicSuffixWildcard: a wildcard origin over a public suffix
	// ("https://*.github.io") without credentials. With credentials it is
	// an error.
	WarnPublicSuffixWildcard WarningCode = "public-suffix-wildcard"
	// WarnBroadOriginRegex: an origin regex whose host part matches more
	// than it seems to (an unescaped ".", or ".*" crossing labels).
	WarnBroadOriginRegex WarningCode = "broad-origin-regex"
	// WarnMaxAgeOverBrowserCap: maxAge above what browsers cache.
	WarnMaxAgeOverBrowserCap WarningCode = "max-age-over-browser-cap"
	// WarnPrivateNetwork: allowPrivateNetwork is set.
	WarnPrivateNetwork WarningCode = "private-network"
	// WarnStarWithOtherOrigins: "*" next to other origins, which then have
	// no effect.
	WarnStarWithOtherOrigins WarningCode = "star-with-other-origins"
	// WarnStarWithCrossOriginProtection: "*" with crossOriginProtection,
	// which then rejects nothing.
	WarnStarWithCrossOriginProtection WarningCode = "star-with-cross-origin-protection"
	// WarnShadowedRoute: a route that never applies, because an earlier
	// one matches every request it would match.
	WarnShadowedRoute WarningCode = "shadowed-route"
	// WarnMethodCase: a method that is not uppercase, which fetch sends
	// uppercased (so it never matches) or only some scripts send that way.
	WarnMethodCase WarningCode = "method-case"
)
