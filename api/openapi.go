package api

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// route describes one endpoint: how it is served and how it is documented.
// Every route is registered through Server.handle, so the OpenAPI document
// lists exactly the routes that exist.
type route struct {
	Method    string
	Pattern   string
	Summary   string
	Tag       string
	Auth      string // authAdmin, authToken, authAny or authNone
	Request   any    // zero value of the JSON request type, or nil
	Form      any    // zero value of a form-encoded request type, or nil
	Multipart any    // zero value of a multipart/form-data request type (File fields are files), or nil
	Response  any    // zero value of the response type, or nil
	Status    int    // success status
	Raw       string // content type of a non-JSON response (image/svg+xml)
}

const (
	authNone  = "none"
	authAdmin = "admin"
	authToken = "token"
	authAny   = "any"
)

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// openAPI builds an OpenAPI 3.1 document from the registered routes,
// deriving JSON schemas from the Go types by reflection.
func openAPI(routes []route, version string) map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		p := rt.Pattern
		ops := paths[p]
		if ops == nil {
			ops = map[string]any{}
			paths[p] = ops
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt.Method, p),
			"tags":        []string{rt.Tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(p, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch rt.Auth {
		case authAdmin:
			op["security"] = []any{map[string]any{"admin": []string{}}}
		case authToken:
			op["security"] = []any{map[string]any{"repositoryToken": []string{}}}
		case authAny:
			op["security"] = []any{map[string]any{"admin": []string{}}, map[string]any{"repositoryToken": []string{}}}
		}
		if rt.Request != nil || rt.Form != nil || rt.Multipart != nil {
			content := map[string]any{}
			if rt.Request != nil {
				content["application/json"] = map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}
			}
			if rt.Form != nil {
				content["application/x-www-form-urlencoded"] = map[string]any{"schema": g.schema(reflect.TypeOf(rt.Form))}
			}
			if rt.Multipart != nil {
				content["multipart/form-data"] = map[string]any{"schema": g.schema(reflect.TypeOf(rt.Multipart))}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status := rt.Status
		if status == 0 {
			status = 200
		}
		resp := map[string]any{"description": "success"}
		switch {
		case rt.Raw != "":
			resp["content"] = map[string]any{rt.Raw: map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.Response != nil:
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Response))}}
		}
		errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(ErrorBody{}))}}}
		op["responses"] = map[string]any{itoa(status): resp, "default": errRef}
		ops[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Sabiá",
			"version":     version,
			"description": "Intent classification, entity extraction and built-in detectors for chatbots. Errors are JSON {\"error\": {\"code\", \"message\"}}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"admin":           map[string]any{"type": "http", "scheme": "bearer", "description": "the admin token (SABIA_ADMIN_TOKEN)"},
				"repositoryToken": map[string]any{"type": "http", "scheme": "bearer", "description": "a repository access token"},
			},
		},
	}
}

func operationID(method, pattern string) string {
	s := strings.NewReplacer("{", "", "}", "", "/", "_", "-", "_", ".", "_").Replace(pattern)
	return strings.ToLower(method) + strings.TrimRight(s, "_")
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{digits[i%10]}, b...)
		i /= 10
	}
	return string(b)
}

type schemaGen struct{ defs map[string]any }

var (
	timeType = reflect.TypeOf(time.Time{})
	fileType = reflect.TypeOf(File{})
)

// File documents a file part of a multipart request: binary content, not
// JSON.
type File struct{}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == fileType:
		return map[string]any{"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
	case t.Kind() == reflect.Struct:
		name := t.Name()
		if name == "" {
			return g.object(t)
		}
		name = schemaName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	case t.Kind() == reflect.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if pkg != "" && pkg != "api" {
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	return strings.NewReplacer("[", "_", "]", "", "*", "", ".", "_", "/", "_").Replace(name)
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			inner := g.object(f.Type)
			for k, v := range inner["properties"].(map[string]any) {
				props[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if d := f.Tag.Get("doc"); d != "" {
			s = map[string]any{"allOf": []any{s}, "description": d}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}
