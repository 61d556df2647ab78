package discord

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// InviteURL is the OAuth2 link that adds the bot to a server: scopes bot
// and applications.commands (for /faq and "Ask espbot"), and the
// permissions espbot needs, no more (Permissions).
func InviteURL(clientID string) string {
	q := url.Values{
		"client_id":   {clientID},
		"scope":       {"bot applications.commands"},
		"permissions": {strconv.FormatInt(Permissions, 10)},
	}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// ClientIDFromToken reads the bot's user ID out of a bot token, whose first
// part is that ID in base64. For applications made in the developer portal
// it is also the application's (client) ID.
func ClientIDFromToken(token string) (string, error) {
	token = strings.TrimPrefix(strings.TrimSpace(token), "Bot ")
	first, _, ok := strings.Cut(token, ".")
	if !ok || first == "" {
		return "", errors.New("not a bot token")
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(first, "="))
	if err != nil {
		return "", errors.New("not a bot token")
	}
	id := string(raw)
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", errors.New("not a bot token")
	}
	return id, nil
}
