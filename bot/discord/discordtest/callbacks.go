package discordtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// interactionInfo is what the fake remembers of a dispatched interaction:
// where it happened, when, and how it was answered.
type interactionInfo struct {
	typ     int
	channel string
	guild   string
	message string // the message a component is on
	at      time.Time
	// response is the callback type (0: none yet); original the message it
	// created.
	response int
	original string
}

// Callback types Discord accepts per interaction type.
var callbackTypes = map[int][]int{
	InteractionCommand:      {4, 5, 9},
	InteractionComponent:    {4, 5, 6, 7, 9},
	InteractionAutocomplete: {8},
}

// handleCallback accepts the one response an interaction may get, within
// its deadline, with a type that fits the interaction. Replies (type 4) and
// updates (type 7) are stored as messages so tests can click on them.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	var resp struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&resp); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	in, ok := s.interactions[id]
	valid := ok && r.PathValue("token") == "itoken-"+id
	var answered int
	var late bool
	if valid {
		answered, late = in.response, time.Since(in.at) > s.opts.InteractionDeadline
	}
	s.mu.Unlock()
	switch {
	case !valid:
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	case answered != 0:
		s.violate("second callback for interaction " + id)
		apiError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	case late:
		s.violate("callback for interaction " + id + " after " + s.opts.InteractionDeadline.String())
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	case !containsInt(callbackTypes[in.typ], resp.Type):
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body (type: interaction callback type "+strconv.Itoa(resp.Type)+" does not fit the interaction)")
		return
	case resp.Type == 4 && !s.checkNonEmpty(w, resp.Data):
		return
	case resp.Type == 8 && !hasChoices(resp.Data):
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body (data.choices: This field is required)")
		return
	}
	msgID := s.callbackMessage(in, resp.Type, resp.Data)
	s.mu.Lock()
	in.response, in.original = resp.Type, msgID
	s.mu.Unlock()
	w.(*recorder).messageID = msgID
	w.WriteHeader(http.StatusNoContent)
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// callbackMessage stores the message an interaction response creates
// (type 4; type 5 creates a placeholder) or updates (type 7: the message the
// component is on).
func (s *Server) callbackMessage(in *interactionInfo, typ int, data map[string]any) string {
	switch typ {
	case 4:
		return s.storeMessageID("", in.channel, data)
	case 5:
		return s.storeMessageID("", in.channel, map[string]any{"content": "", "flags": data["flags"]})
	case 7:
		return s.storeMessageID(in.message, in.channel, data)
	}
	return ""
}

// handleEditOriginal edits the original response of an interaction: it
// must have been answered with a message (type 4 or 5) first.
func (s *Server) handleEditOriginal(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.PathValue("token"), "itoken-")
	s.mu.Lock()
	in := s.interactions[id]
	s.mu.Unlock()
	if !ok || in == nil || r.PathValue("app") != s.opts.AppID {
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	if r.PathValue("message") != "@original" || (in.response != 4 && in.response != 5) {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	edit := map[string]any{}
	if err := json.NewDecoder(r.Body).Decode(&edit); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	s.applyEdit(in.original, edit)
	w.(*recorder).messageID = in.original
	writeJSON(w, http.StatusOK, s.messageMap(in.original))
}

// hasChoices reports whether an autocomplete result lists (maybe no) choices.
func hasChoices(data map[string]any) bool {
	choices, ok := data["choices"].([]any)
	if !ok || len(choices) > 25 {
		return false
	}
	for _, c := range choices {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		if n := len([]rune(name)); n < 1 || n > 100 {
			return false
		}
	}
	return true
}
