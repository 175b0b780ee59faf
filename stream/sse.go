package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
)

// ErrEventTooLarge is returned by Events when one event grows past the bound
// given to it. A2A agents that never end an event must not exhaust memory.
var ErrEventTooLarge = errors.New("stream: SSE event too large")

// Event is one decoded SSE event.
type Event struct {
	Type string // the "event:" field; empty means "message"
	ID   string // the "id:" field
	Data []byte // the "data:" lines joined with "\n"
}

// Events decodes the SSE stream in r, yielding one Event per dispatched
// event. It accepts LF, CRLF and CR line ends, comments (": ping"),
// multi-line data, "event:", "id:" and "retry:" fields, and frames split
// across reads, as the HTML SSE specification describes. An event whose
// data and fields exceed max bytes stops the iteration with
// ErrEventTooLarge. At EOF a pending event without its blank line is
// dispatched, since some servers close right after the last data line.
//
// The yielded Data is only valid until the next iteration.
func Events(r io.Reader, max int) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		dec := NewDecoder(r, max)
		for {
			ev, err := dec.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// Decoder reads the events of an SSE stream one at a time, as Events does,
// for callers that pull events without an iterator (and its goroutine).
type Decoder struct {
	d       decoder
	started bool
	// Ready's last answer, for the buffer as it was then (its gen): a
	// relay asks before it flushes and again before it waits.
	readyGen          uint64
	ready, readyKnown bool // readyKnown: ready answers for readyGen
}

// NewDecoder returns a Decoder reading r, bounding each event by max bytes.
func NewDecoder(r io.Reader, max int) *Decoder {
	return &Decoder{d: decoder{b: newBuffer(r), max: max}}
}

// Ready reports whether a whole event with data is already buffered, so
// that Next will not wait for the network: a writer may hold its flush
// until then. Comments and events without data (": ping") do not count:
// Next skips them and waits.
func (dec *Decoder) Ready() bool {
	if dec.readyKnown && dec.readyGen == dec.d.b.gen {
		return dec.ready
	}
	dec.ready, dec.readyGen, dec.readyKnown = dec.scanReady(), dec.d.b.gen, true
	return dec.ready
}

// scanReady is Ready, the buffered bytes scanned.
func (dec *Decoder) scanReady() bool {
	p, data := dec.d.b.buffered(), false
	for {
		i := lineEnd(p)
		if i < 0 {
			return false
		}
		if line := p[:i]; len(line) == 0 && data {
			return true
		} else if name, _ := splitField(line); string(name) == "data" {
			data = true
		}
		if p[i] == '\r' && i+1 < len(p) && p[i+1] == '\n' {
			i++
		}
		p = p[i+1:]
	}
}

// Next returns the next event; io.EOF at the clean end of the stream. The
// event's Data is only valid until the next call.
func (dec *Decoder) Next() (Event, error) {
	if !dec.started {
		dec.started = true
		// The SSE specification strips one leading UTF-8 byte order mark.
		b := &dec.d.b
		for len(b.buffered()) < 3 {
			if b.fill() != nil {
				break
			}
		}
		if bytes.HasPrefix(b.buffered(), []byte("\xef\xbb\xbf")) {
			b.discard(3)
		}
	}
	return dec.d.next()
}

type decoder struct {
	b    buffer
	max  int
	line []byte // a line longer than the largest buffer, gathered
	// data is the pending event's data. An event's first data line stays
	// where it was read (inPlace), in b or in line, until a read would
	// overwrite it (keep): most events have one data line, and are then
	// never copied. Other data is gathered in buf.
	data    []byte
	buf     []byte
	inPlace bool
	hasData bool
	typ, id string
	lastCR  bool // the previous line ended in a bare CR: skip a following LF
}

// next returns the next event, io.EOF at a clean end, or another error.
func (d *decoder) next() (Event, error) {
	// A long event grew line or buf: let them go rather than hold them
	// while the stream waits for its next, most often small, event.
	if cap(d.line) > smallBuf {
		d.line = nil
	}
	if cap(d.buf) > smallBuf {
		d.buf = nil
	}
	d.data, d.inPlace, d.hasData, d.typ = nil, false, false, ""
	for {
		line, err := d.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && d.hasData {
				return d.event(), nil
			}
			return Event{}, err
		}
		if len(line) == 0 {
			if d.hasData {
				return d.event(), nil
			}
			d.typ = "" // an event with no data is not dispatched
			continue
		}
		if err := d.field(line); err != nil {
			return Event{}, err
		}
	}
}

func (d *decoder) event() Event {
	return Event{Type: d.typ, ID: d.id, Data: d.data}
}

// field applies one non-empty line to the pending event.
func (d *decoder) field(line []byte) error {
	if line[0] == ':' {
		return nil // comment: keepalives and pings
	}
	name, value := splitField(line)
	switch string(name) {
	case "data":
		if !d.hasData {
			d.data, d.inPlace, d.hasData = value, true, true
			break // within max: so is its line
		}
		d.keep()
		d.data = append(append(d.data, '\n'), value...)
		d.buf = d.data
		if len(d.data) > d.max {
			return fmt.Errorf("%w: over %d bytes", ErrEventTooLarge, d.max)
		}
	case "event":
		d.typ = string(value)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			d.id = string(value)
		}
	}
	return nil // "retry" and unknown fields are ignored
}

// splitField splits a line into its field name and value, the one space
// after the colon dropped. A comment (": ping") has the empty name.
func splitField(line []byte) (name, value []byte) {
	name, value, found := bytes.Cut(line, []byte{':'})
	if found && len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	return name, value
}

// readLine reads one line without its end, whatever the line end, bounded
// by max. A line the buffer holds whole is returned in place, valid until
// the next read: the common case is one lineEnd and no copy. Only a line
// longer than the largest buffer is gathered in d.line.
func (d *decoder) readLine() ([]byte, error) {
	d.line = d.line[:0]
	scanned := 0 // buffered bytes known to hold no line end
	for {
		p := d.b.buffered()
		if d.lastCR && len(p) > 0 {
			// The previous line ended in CR: a following LF belongs to it.
			d.lastCR = false
			if p[0] == '\n' {
				d.b.discard(1)
				continue
			}
		}
		if i := lineEnd(p[scanned:]); i >= 0 {
			i += scanned
			d.lastCR = p[i] == '\r'
			return d.take(p, i, i+1)
		}
		scanned = len(p)
		if len(d.line)+scanned > d.max {
			return nil, fmt.Errorf("%w: line over %d bytes", ErrEventTooLarge, d.max)
		}
		d.keep() // the read moves the buffer
		err := d.b.fill()
		p = d.b.buffered()
		switch {
		case errors.Is(err, errBufferFull):
			d.line = append(d.line, p...)
			d.b.discard(len(p))
			scanned = 0
		case errors.Is(err, io.EOF) && len(d.line)+len(p) > 0:
			return d.take(p, len(p), len(p)) // the last line, with no end
		case err != nil:
			return nil, err
		}
	}
}

// lineEnd returns the index of the first CR or LF in p, or -1. It is
// bytes.IndexAny(p, "\r\n") with two IndexByte calls, which are vectorised:
// IndexAny tests a byte at a time, and was 4 % of a stream's CPU.
func lineEnd(p []byte) int {
	lf := bytes.IndexByte(p, '\n')
	if lf < 0 {
		return bytes.IndexByte(p, '\r')
	}
	if cr := bytes.IndexByte(p[:lf], '\r'); cr >= 0 {
		return cr
	}
	return lf
}

// keep copies the data kept in place into buf, before a read overwrites it.
func (d *decoder) keep() {
	if d.inPlace {
		d.buf = append(d.buf[:0], d.data...)
		d.data, d.inPlace = d.buf, false
	}
}

// take returns the line made of what was gathered and the buffered p[:n],
// and discards the buffered bytes up to skip.
func (d *decoder) take(p []byte, n, skip int) ([]byte, error) {
	line := p[:n]
	if len(d.line) > 0 {
		d.line = append(d.line, line...)
		line = d.line
	}
	d.b.discard(skip)
	if len(line) > d.max {
		return nil, fmt.Errorf("%w: line over %d bytes", ErrEventTooLarge, d.max)
	}
	return line, nil
}
