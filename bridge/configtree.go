package bridge

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The config file is decoded in three steps over its yaml.Node tree, so that
// every error names the field at fault (agents[0].timeout) and a variable's
// value never becomes YAML:
//
//  1. expand ${VAR} in each scalar value, never in the raw text or in keys;
//  2. check the tree against Config's types: unknown keys, a list where a
//     mapping belongs, a value the field's type cannot take;
//  3. let yaml decode the checked tree.
//
// yaml's own errors name only a line ("line 2: cannot unmarshal ..."), quote
// the value, which may come from a secret, and Node.Decode has no KnownFields:
// step 2 does all three jobs by field path.

// decodeConfig decodes a config file's YAML into c. An empty file leaves c
// as it is (the defaults).
func decodeConfig(raw []byte, getenv func(string) string, c *Config) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		if bytes.Contains(raw, []byte("${")) {
			// In [...] and {...}, braces end a plain value: {k: ${V}} does not parse.
			return fmt.Errorf("%w (if a ${VAR} is inside [...] or {...}, quote it: \"${VAR}\")", err)
		}
		return err
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	t := configTree{written: map[*yaml.Node]string{}}
	if err := t.expand(root, "", getenv); err != nil {
		return err
	}
	if err := t.check(root, reflect.TypeFor[Config](), ""); err != nil {
		return err
	}
	return root.Decode(c)
}

// configTree remembers, for each value that held a reference, its text as
// written, so that an error can quote that instead of the expanded value.
type configTree struct{ written map[*yaml.Node]string }

// expand expands every scalar value below n. An alias is left alone: its
// anchor is expanded, once, where it is defined.
func (t *configTree) expand(n *yaml.Node, path string, getenv func(string) string) error {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := t.expand(c, fmt.Sprintf("%s[%d]", path, i), getenv); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := t.expand(n.Content[i+1], field(path, n.Content[i]), getenv); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return t.expandScalar(n, path, getenv)
	}
	return nil
}

// expandScalar expands the ${VAR}s of one scalar value.
func (t *configTree) expandScalar(n *yaml.Node, path string, getenv func(string) string) error {
	if !strings.Contains(n.Value, "$") {
		return nil
	}
	v, err := expandEnv(n.Value, getenv)
	if err != nil {
		return at(path, "%w", err)
	}
	t.written[n] = n.Value
	n.Value = v
	if n.Style&notPlain == 0 {
		// A plain value is read as if the result had been written there,
		// so max_entries: ${N} is a number; but a variable that says
		// "null" or "~" is text, not a missing value.
		n.Tag = ""
		if v != "" && n.ShortTag() == "!!null" {
			n.Tag = "!!str"
		}
	}
	return nil
}

const notPlain = yaml.TaggedStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

// check walks n against ty, the type it will be decoded into.
func (t *configTree) check(n *yaml.Node, ty reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for ty.Kind() == reflect.Pointer {
		ty = ty.Elem()
	}
	if n.ShortTag() == "!!null" { // yaml leaves the zero value
		return nil
	}
	switch {
	case scalarType(n, ty):
		return t.checkValue(n, ty, path)
	case ty.Kind() == reflect.Struct:
		return t.checkStruct(n, ty, path)
	case ty.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return wrongKind(n, ty, path)
		}
		return eachPair(n, path, func(k, v *yaml.Node) error { return t.check(v, ty.Elem(), field(path, k)) })
	case ty.Kind() == reflect.Slice:
		return t.checkSlice(n, ty, path)
	}
	return t.checkValue(n, ty, path)
}

// scalarType reports whether ty reads n as one value of its own (a
// Duration, a Size): it has an UnmarshalYAML, and n is not the mapping of
// a type that takes both (an APIKey).
func scalarType(n *yaml.Node, ty reflect.Type) bool {
	return reflect.PointerTo(ty).Implements(reflect.TypeFor[yaml.Unmarshaler]()) &&
		(n.Kind != yaml.MappingNode || !ty.Implements(reflect.TypeFor[interface{ yamlMapping() }]()))
}

func (t *configTree) checkStruct(n *yaml.Node, ty reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return wrongKind(n, ty, path)
	}
	return eachPair(n, path, func(k, v *yaml.Node) error {
		f, ok := fieldByKey(ty, k.Value)
		if !ok {
			return at(field(path, k), "unknown key")
		}
		return t.check(v, f.Type, field(path, k))
	})
}

func (t *configTree) checkSlice(n *yaml.Node, ty reflect.Type, path string) error {
	if n.Kind != yaml.SequenceNode {
		return wrongKind(n, ty, path)
	}
	for i, c := range n.Content {
		if err := t.check(c, ty.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkValue decodes a single value on its own to see that ty takes it.
func (t *configTree) checkValue(n *yaml.Node, ty reflect.Type, path string) error {
	if n.Kind != yaml.ScalarNode {
		return wrongKind(n, ty, path)
	}
	if n.Decode(reflect.New(ty).Interface()) == nil {
		return nil
	}
	if src, ok := t.written[n]; ok {
		return at(path, "%q expands to something that is not %s", src, wanted(ty))
	}
	return at(path, "%q is not %s", n.Value, wanted(ty))
}

// eachPair calls f with each key and value of the mapping n, those merged
// in with "<<: *anchor" included, and rejects a key written twice.
func eachPair(n *yaml.Node, path string, f func(k, v *yaml.Node) error) error {
	line := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			if err := eachMerged(v, path, f); err != nil {
				return err
			}
			continue
		}
		if first, ok := line[k.Value]; ok {
			return at(field(path, k), "written twice, on lines %d and %d", first, k.Line)
		}
		line[k.Value] = k.Line
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// eachMerged visits the mapping, or the list of mappings, that "<<" merges in.
func eachMerged(v *yaml.Node, path string, f func(k, v *yaml.Node) error) error {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return eachPair(v, path, f)
	case yaml.SequenceNode:
		for _, m := range v.Content {
			if err := eachMerged(m, path, f); err != nil {
				return err
			}
		}
		return nil
	}
	return at(path, "<< must merge in a mapping or a list of mappings")
}

// fieldByKey finds the field of struct type ty that the yaml key names.
func fieldByKey(ty reflect.Type, key string) (reflect.StructField, bool) {
	for f := range ty.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case !f.IsExported() || name == "-":
			continue
		case opts == "inline" || strings.HasPrefix(opts, "inline,"):
			if g, ok := fieldByKey(f.Type, key); ok {
				return g, true
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// wrongKind is a list or mapping where ty wants something else, or the reverse.
func wrongKind(n *yaml.Node, ty reflect.Type, path string) error {
	got := map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}[n.Kind]
	if got == "" {
		got = "a single value"
	}
	return at(path, "want %s, not %s", wanted(ty), got)
}

// wanted says, for an error, what a value of type ty looks like.
func wanted(ty reflect.Type) string {
	switch ty {
	case reflect.TypeFor[Duration]():
		return durationWanted
	case reflect.TypeFor[Size]():
		return sizeWanted
	}
	switch ty.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	}
	return "a " + ty.String()
}

// field is the path of the value under key k of the mapping at path.
func field(path string, k *yaml.Node) string {
	if k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	if path == "" {
		return k.Value
	}
	return path + "." + k.Value
}

// at names the field of a config error: "agents[0].timeout: ...".
func at(path, format string, args ...any) error {
	if path == "" {
		return fmt.Errorf(format, args...)
	}
	return fmt.Errorf("%s: "+format, append([]any{path}, args...)...)
}
