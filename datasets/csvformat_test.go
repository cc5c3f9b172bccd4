package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

func TestReadCSV(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want []nlu.Example
	}{
		{
			name: "entities, quotes and out of scope",
			in: "text,intent,entities\n" +
				`quero uma pizza de calabresa,pedir_pizza,"[{""start"": 19, ""end"": 28, ""entity"": ""sabor"", ""value"": ""calabresa""}]"` + "\n" +
				`"de São Paulo pra Recife, amanhã",passagem,"[{""start"": 3, ""end"": 12, ""entity"": ""cidade"", ""group"": ""origem""}, {""start"": 17, ""end"": 23, ""entity"": ""cidade"", ""value"": ""Recife"", ""group"": ""destino""}]"` + "\n" +
				`"ele disse ""já tá saindo"" 🙄",status,` + "\n" +
				"vc é um robô?,,\n" +
				"pq [não] chegou (ainda),status,[]\n",
			want: []nlu.Example{
				{Text: "quero uma pizza de calabresa", Intent: "pedir_pizza", Entities: []nlu.Span{{Start: 19, End: 28, Entity: "sabor"}}},
				{Text: "de São Paulo pra Recife, amanhã", Intent: "passagem", Entities: []nlu.Span{
					{Start: 3, End: 12, Entity: "cidade", Group: "origem"}, {Start: 17, End: 23, Entity: "cidade", Group: "destino"}}},
				fx(`ele disse "já tá saindo" 🙄`, "status"),
				fx("vc é um robô?", ""),
				fx("pq [não] chegou (ainda)", "status"),
			},
		},
		{
			name: "Excel in Brazil: semicolons, byte-order mark, CRLF",
			in:   "\ufeffText;Intent\r\nvc entrega em Niterói?;entrega\r\n\"oi; tudo bem?\";saudacao\r\n",
			want: []nlu.Example{fx("vc entrega em Niterói?", "entrega"), fx("oi; tudo bem?", "saudacao")},
		},
		{
			name: "columns in another order",
			in:   " intent , ENTITIES,text\nfrete,\"[{\"\"start\"\": 26, \"\"end\"\": 32, \"\"entity\"\": \"\"ciudad\"\"}]\",¿Cuánto cuesta el envío a Bogotá?\n",
			want: []nlu.Example{fx("¿Cuánto cuesta el envío a Bogotá?", "frete", "ciudad=Bogotá")},
		},
		{
			name: "a text on two lines",
			in:   "text,intent\n\"primeira linha\r\nsegunda linha\",a\n",
			want: []nlu.Example{fx("primeira linha\nsegunda linha", "a")},
		},
		{
			name: "header only",
			in:   "text,intent\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ReadCSV =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	const head = "text,intent,entities\noi,a,\n"
	for _, c := range []struct {
		name, in, code, where string
	}{
		{"empty file", "", sabia.EINVALID, "header"},
		{"no header", "quero pizza,pedir_pizza\n", sabia.EINVALID, "line 1"},
		{"unknown column", "text,intent,lang\noi,a,pt\n", sabia.EINVALID, `"lang"`},
		{"missing intent column", "text\noi\n", sabia.EINVALID, `"intent"`},
		{"column twice", "text,intent,Text\n", sabia.EINVALID, `"text"`},
		{"too many fields", head + "oi,a,,x\n", sabia.EINVALID, "line 3"},
		{"too few fields", head + "oi,a\n", sabia.EINVALID, "line 3"},
		{"bare quote", head + "ele disse \"oi\",a,\n", sabia.EINVALID, "line 3"},
		{"unterminated quote", head + "\"oi,a,\n", sabia.EINVALID, "line 3"},
		{"empty text", head + " ,a,\n", sabia.EINVALID, "line 3"},
		{"invalid UTF-8", head + "o\xffi,a,\n", sabia.EINVALID, "line 3"},
		{"bad entities JSON", head + "oi,a,[{\n", sabia.EINVALID, "line 3"},
		{"entities not an array", head + "oi,a,\"{\"\"start\"\": 0}\"\n", sabia.EINVALID, "line 3"},
		{"data after the entities", head + "oi,a,[] []\n", sabia.EINVALID, "line 3"},
		{"unknown span key", head + "oi,a,\"[{\"\"start\"\": 0, \"\"end\"\": 1, \"\"entity\"\": \"\"e\"\", \"\"label\"\": \"\"x\"\"}]\"\n", sabia.EINVALID, "line 3"},
		{"span outside the text", head + "ção,a,\"[{\"\"start\"\": 0, \"\"end\"\": 4, \"\"entity\"\": \"\"e\"\"}]\"\n", sabia.EINVALID, "line 3"},
		{"span in bytes", head + "não quero,a,\"[{\"\"start\"\": 5, \"\"end\"\": 10, \"\"entity\"\": \"\"e\"\"}]\"\n", sabia.EINVALID, "line 3"},
		{"value mismatch", head + "não quero,a,\"[{\"\"start\"\": 0, \"\"end\"\": 3, \"\"entity\"\": \"\"e\"\", \"\"value\"\": \"\"nã\"\"}]\"\n", sabia.EINVALID, "line 3"},
		{"span without entity", head + "oi,a,\"[{\"\"start\"\": 0, \"\"end\"\": 1}]\"\n", sabia.EINVALID, "line 3"},
		{"record too long", head + "\"" + strings.Repeat("a", maxCSVRecord) + "\",a,\n", sabia.ETOOLARGE, "line 3"},
		{"record without end", head + "\"" + strings.Repeat("a\n", maxCSVRecord), sabia.ETOOLARGE, "line"},
		{"text too long", head + strings.Repeat("a", maxText+1) + ",a,\n", sabia.ETOOLARGE, "line 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(c.in))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("message %q does not say %q", sabia.ErrorMessage(err), c.where)
			}
		})
	}
}

func TestWriteCSV(t *testing.T) {
	in := []nlu.Example{
		fx("quero pizza de calabresa", "pedir_pizza", "sabor=calabresa"),
		fx(`ele disse "oi", né`, ""),
		fx(" espaço no começo", "a b"),
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	want := "text,intent,entities\n" +
		`quero pizza de calabresa,pedir_pizza,"[{""start"":15,""end"":24,""entity"":""sabor"",""value"":""calabresa""}]"` + "\n" +
		`"ele disse ""oi"", né",,` + "\n" +
		`" espaço no começo",a b,` + "\n"
	if buf.String() != want {
		t.Errorf("WriteCSV wrote\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteCSV(&buf, in[1:]); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "text,intent\n") {
		t.Errorf("without entities the header is %q", strings.SplitN(buf.String(), "\n", 2)[0])
	}
}

func FuzzReadCSV(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "formats", "examples.csv")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("text,intent\noi,a\n\"multi\r\nlinha\r\r\n\",\n"))
	f.Add([]byte("\ufeffintent;text;entities\r\na;oi;[{\"start\":0,\"end\":1,\"entity\":\"e\",\"group\":\"g\"}]\r\n"))
	f.Add([]byte("entities,text,intent\n\"[{\"\"start\"\":0,\"\"end\"\":2,\"\"entity\"\":\"\"e\"\",\"\"value\"\":\"\"oi\"\"}]\",oi,\n"))
	f.Add([]byte("text,intent\n\"a\"\"b\",\"\r\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadCSV(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkReadBack(t, exs,
			func(b *bytes.Buffer, e []nlu.Example) error { return WriteCSV(b, e) },
			func(b *bytes.Buffer) ([]nlu.Example, error) { return ReadCSV(b) })
	})
}
