//! YAML to JSON, keeping lines: `kubectl get … -o yaml` exports are converted to
//! JSON text so that the JSON importers read them unchanged. Every mapping gets a
//! synthetic `"@line"` field with the 1-based line it starts on in the YAML, which
//! importers prefer over the (meaningless) line in the generated JSON.
//!
//! Plain scalars are typed as YAML 1.2's core schema does (`true`/`false`, `null`/`~`,
//! integers, floats); quoted scalars stay strings. Anchors and aliases are not
//! resolved (kubectl never writes them): an alias becomes `null`.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The synthetic field that carries a mapping's YAML line.
pub const LINE_KEY: &str = "@line";

/// Does this text look like YAML rather than JSON or CSV? (`apiVersion:`/`kind:` keys.)
pub fn looks_like_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .take(3)
        .any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:") || l.starts_with("items:"))
}

enum Frame {
    Seq(Vec<Value>),
    Map(Map<String, Value>, Option<String>),
}

struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Value>,
}

impl Builder {
    fn push_value(&mut self, v: Value) {
        match self.stack.last_mut() {
            None => self.docs.push(v),
            Some(Frame::Seq(items)) => items.push(v),
            Some(Frame::Map(map, key)) => match key.take() {
                None => {
                    let k = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
    }
}

fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    if text.contains('.')
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => {
                let mut map = Map::new();
                map.insert(LINE_KEY.into(), Value::from(mark.line() as u64));
                self.stack.push(Frame::Map(map, None));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items)) = self.stack.pop() {
                    self.push_value(Value::Array(items));
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(map, _)) = self.stack.pop() {
                    self.push_value(Value::Object(map));
                }
            }
            Event::Scalar(text, style, _, _) => self.push_value(scalar(text, style)),
            Event::Alias(_) => self.push_value(Value::Null),
            _ => {}
        }
    }
}

/// Converts YAML text (one or more documents) to JSON text, one JSON document per
/// line. Errors carry the YAML line and column; they never quote the content.
pub fn to_json(text: &str) -> Result<String, (usize, usize, String)> {
    let mut builder = Builder {
        stack: Vec::new(),
        docs: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| {
        let m = e.marker();
        (m.line(), m.col() + 1, "invalid YAML".to_string())
    })?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for doc in builder.docs.iter().filter(|d| !d.is_null()) {
        out.push_str(
            &serde_json::to_string(doc).map_err(|_| (0, 0, "unconvertible YAML".to_string()))?,
        );
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_lists_convert_with_types_and_lines() {
        let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: a\n    namespace: ns\n  automountServiceAccountToken: false\n- kind: Secret\n  data:\n    token: \"dG9r\"\n  count: 3\n";
        assert!(looks_like_yaml(yaml));
        let json = to_json(yaml).unwrap();
        let v: Value = serde_json::from_str(json.trim()).unwrap();
        let items = v["items"].as_array().unwrap();
        assert_eq!(items[0][LINE_KEY], 4);
        assert_eq!(items[0]["automountServiceAccountToken"], false);
        assert_eq!(items[1][LINE_KEY], 10);
        assert_eq!(items[1]["count"], 3);
        assert_eq!(items[1]["data"]["token"], "dG9r");
    }

    #[test]
    fn several_documents_and_errors() {
        let json = to_json("kind: A\n---\nkind: B\n").unwrap();
        assert_eq!(json.lines().count(), 2);
        let err = to_json("kind: [unclosed\n").unwrap_err();
        assert!(err.0 >= 1);
        assert!(!looks_like_yaml("user,arn\nx,y"));
    }
}
