package bot

import "github.com/espbot/espbot/knowledge"

// voice is how the core's own texts speak on the asker's surface. In the
// terminal, questions are typed at a prompt and commands with their slash
// ("/search <words>"), which is how they are sure to be read as commands;
// in chats people mention the bot or write to it, and "search <words>"
// after the mention is the command.
type voice struct {
	terminal bool
}

func voiceOf(p Platform) voice { return voice{terminal: p == Terminal} }

// cmd is a command, or a command's synopsis, as the asker types it.
func (v voice) cmd(s string) knowledge.Inline {
	if v.terminal {
		s = "/" + s
	}
	return literal(s)
}
