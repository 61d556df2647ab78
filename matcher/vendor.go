package matcher

import "strings"

// People in an Espressif help channel also ask about the other boards on
// their desk ("can the Raspberry Pi Pico W do WPA3?"). Such a question
// reads like a real one and the FAQ has its words, but no entry answers
// it: a question that names another vendor's chip or board where it asks
// (a sentence beside the asking one describes the asker's system), and no
// Espressif product, gets suggestions only (queryPlan.suggestOnly).

// otherVendorPrefixes start the names of other vendors' microcontrollers,
// radios and boards, as the tokenizer writes them (lower case, no spaces).
// "arduino" is not one: Arduino is also how many people program ESP32s.
// Nor is "raspberry": a Raspberry Pi is a computer an ESP32 talks to, as a
// PC is ("publish to the Mosquitto broker on my Raspberry Pi"); the
// Raspberry Pi Pico, a microcontroller, is "pico".
const otherVendorPrefixes = "pico rp2040 rp2350 stm32 stm8 nrf51 nrf52 nrf53 nrf54 nrf70 nrf91 nordic " +
	"atmega attiny samd21 samd51 pic16 pic18 pic24 pic32 cc3200 cc3220 cc2640 cc2652 teensy " +
	"cyw43 bl602 bl616 bk7231 rtl8710 rtl8720 w600 w800"

// otherVendor reports whether word names another vendor's device.
func otherVendor(word string) bool {
	// most words fail on their first four letters, in one scan
	if len(word) < 4 || !strings.Contains(otherVendorPrefixes, word[:4]) {
		return false
	}
	for p := range strings.FieldsSeq(otherVendorPrefixes) {
		if strings.HasPrefix(word, p) {
			return true
		}
	}
	return false
}

// espressifWord reports whether word names Espressif or one of its
// products (esp32, esp-idf, esp-now, espressif); chips the lexicon knows
// are counted separately.
func espressifWord(word string) bool { return strings.HasPrefix(word, "esp") }

// espressifBoard reports the name of a board or module built on an
// Espressif chip ("DevKitC", "WROOM-32E", "NodeMCU", "M5Stack"): a question
// that names one is about Espressif's products, whatever else it names.
func espressifBoard(word string) bool {
	return stemmedName(word, espressifBoardSet, espressifBoardStems) ||
		isLowerWord(word) && espressifBoardSet[strings.TrimSuffix(word, "s")] // "two DevKitCs"
}

// espressifBoardStems are what the names of boards and modules on
// Espressif chips are made of; hardwareStems adds the names of boards
// made with several vendors' chips (Feather, XIAO, Olimex).
var espressifBoardStems = []string{"devkitc", "devkitm", "wroom", "wrover", "nodemcu", "wemos", "lolin",
	"ttgo", "lilygo", "heltec", "m5stack", "m5stick", "m5stamp", "huzzah", "wt32", "kaluga", "lyrat", "korvo"}

// espressifBoardSet is espressifBoardStems as a set, for plain words.
var espressifBoardSet = newWordSet(strings.Join(espressifBoardStems, " ")).set()
