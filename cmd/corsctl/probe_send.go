package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// prober sends the plan to one host, one request at a time.
type prober struct {
	target     *url.URL
	client     *http.Client
	interval   time.Duration // between the starts of two requests (--rate)
	credential [2]string     // the header a "with credentials" request carries
}

// newProber builds a client that can reach only target's host and port:
// no proxy from the environment, no redirects followed, and a dialer that
// refuses any other address. A probe aimed at production must not wander.
func newProber(target *url.URL, rate float64, timeout time.Duration, credential [2]string) *prober {
	allowed := target.Host
	if target.Port() == "" {
		allowed = net.JoinHostPort(target.Hostname(), map[string]string{"http": "80", "https": "443"}[target.Scheme])
	}
	dialer := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr != allowed {
				return nil, fmt.Errorf("refusing to connect to %s: probe contacts only %s", addr, allowed)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:          1,
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
	}
	return &prober{
		target: target,
		client: &http.Client{
			Transport:     tr,
			Timeout:       timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		interval:   time.Duration(float64(time.Second) / rate),
		credential: credential,
	}
}

// send performs every request of the plan, at most one per interval, and
// returns the observations in plan order.
func (p *prober) send(ctx context.Context, reqs []probeRequest) []observation {
	out := make([]observation, len(reqs))
	var next time.Time
	for i := range reqs {
		if wait := time.Until(next); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		next = time.Now().Add(p.interval)
		if ctx.Err() != nil {
			out[i] = observation{Error: ctx.Err().Error()}
			continue
		}
		out[i] = p.one(ctx, &reqs[i])
	}
	return out
}

func (p *prober) one(ctx context.Context, r *probeRequest) observation {
	u := *p.target
	u.Path, u.RawPath, u.RawQuery = "", "", ""
	full := u.String() + r.Path
	req, err := http.NewRequestWithContext(ctx, r.Method, full, nil)
	if err != nil {
		return observation{Error: err.Error()}
	}
	req.Header.Set("User-Agent", "corsctl-probe")
	if r.Origin != "" {
		req.Header.Set("Origin", r.Origin)
	}
	if r.ACRM != "" {
		req.Header.Set("Access-Control-Request-Method", r.ACRM)
	}
	if r.ACRH != "" {
		req.Header.Set("Access-Control-Request-Headers", r.ACRH)
	}
	if r.Credentials {
		req.Header.Set(p.credential[0], p.credential[1])
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return observation{Error: err.Error()}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return observe(resp.StatusCode, resp.Header)
}

// parseCredential reads --credential-header "Name: value".
func parseCredential(s string) ([2]string, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(s, "\r\n\x00") {
		return [2]string{}, fmt.Errorf("--credential-header %q: want \"Name: value\", e.g. \"Cookie: session=…\"", s)
	}
	return [2]string{name, value}, nil
}
