package slacktest

import (
	"fmt"
)

// Click describes a user clicking a control of a message the bot posted.
type Click struct {
	// User and UserName are who clicks.
	User, UserName string
	// Channel and MessageTS locate the message.
	Channel, MessageTS string
	// Ephemeral is true for a message only the user sees: Slack then sends
	// no copy of the message with the click.
	Ephemeral bool
	// ResponseURL is where the bot answers the click.
	ResponseURL string
	// Option is the value picked, for a select menu.
	Option string
}

// BlockAction builds the block_actions payload Slack sends when c.User
// clicks the control actionID of a message with blocks (as the bot posted
// them): the control's block_id, value or selected option, the container,
// and the message itself unless it is ephemeral.
func BlockAction(blocks []map[string]any, actionID string, c Click) (map[string]any, error) {
	act, err := findAction(blocks, actionID)
	if err != nil {
		return nil, err
	}
	act["action_ts"] = "1700000000.000001"
	if act["type"] == "static_select" {
		opt, err := findOption(act, c.Option)
		if err != nil {
			return nil, err
		}
		act = map[string]any{"type": "static_select", "action_id": act["action_id"], "block_id": act["block_id"],
			"selected_option": opt, "action_ts": act["action_ts"]}
	}
	p := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": TeamID, "domain": "test"},
		"user":    map[string]any{"id": c.User, "username": c.UserName, "name": c.UserName, "team_id": TeamID},
		"channel": map[string]any{"id": c.Channel, "name": "test"}, "response_url": c.ResponseURL,
		"trigger_id": fmt.Sprintf("trig-%s-%s", c.User, actionID), "api_app_id": AppID,
		"container": map[string]any{"type": "message", "channel_id": c.Channel, "message_ts": c.MessageTS, "is_ephemeral": c.Ephemeral},
		"actions":   []any{act},
	}
	if !c.Ephemeral {
		p["message"] = map[string]any{"type": "message", "ts": c.MessageTS, "bot_id": BotID, "user": BotUserID, "blocks": blocks}
	}
	return p, nil
}

// findAction returns a copy of the element actionID, with its block_id.
func findAction(blocks []map[string]any, actionID string) (map[string]any, error) {
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		if b["type"] != "actions" {
			continue
		}
		for _, e := range els {
			el, _ := e.(map[string]any)
			if el["action_id"] != actionID {
				continue
			}
			act := map[string]any{"block_id": b["block_id"]}
			for k, v := range el {
				act[k] = v
			}
			return act, nil
		}
	}
	return nil, fmt.Errorf("no control %q in the message", actionID)
}

func findOption(sel map[string]any, value string) (any, error) {
	opts, _ := sel["options"].([]any)
	for _, o := range opts {
		if om, _ := o.(map[string]any); om["value"] == value {
			return om, nil
		}
	}
	return nil, fmt.Errorf("no option %q in the menu", value)
}

// MessageAction builds the payload of a message shortcut (callbackID) used
// by user on a message with text.
func MessageAction(callbackID, user, channel, text, responseURL string) map[string]any {
	return map[string]any{
		"type": "message_action", "callback_id": callbackID, "trigger_id": "trig-shortcut-" + user,
		"team": map[string]any{"id": TeamID}, "user": map[string]any{"id": user, "name": user},
		"channel": map[string]any{"id": channel, "name": "test"}, "response_url": responseURL,
		"message_ts": "1700000000.000100",
		"message":    map[string]any{"type": "message", "user": "U9", "ts": "1700000000.000100", "text": text},
	}
}
