package dev.kiln.processor;

import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.Site;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.Filer;
import javax.lang.model.element.TypeElement;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Compile-time check of an {@code @Weights} file against the planned parameter tensors. Reads only
 * the safetensors header (bounded), with its own small JSON reader: the processor does not depend
 * on the runtime. A file the processor cannot see is left to the load-time check.
 */
final class WeightsCheck {
  private static final long MAX_HEADER_BYTES = 100_000_000L;

  private final Filer filer;
  private final Diagnostics diagnostics;

  WeightsCheck(Filer filer, Diagnostics diagnostics) {
    this.filer = filer;
    this.diagnostics = diagnostics;
  }

  /** The resource name as declared, or null when the type has no {@code @Weights}. */
  static String declared(TypeElement type) {
    dev.kiln.annotations.Weights weights = type.getAnnotation(dev.kiln.annotations.Weights.class);
    return weights == null ? null : weights.value();
  }

  void check(NetworkPlan plan, String resource) {
    TypeElement type = plan.spec().type();
    Site site = new Site(type, NetworkReader.mirror(type, "Weights"));
    String pkg = resource.startsWith("/") ? "" : packageOf(type);
    String relative = resource.startsWith("/") ? resource.substring(1) : resource;
    byte[] header = null;
    for (StandardLocation location : new StandardLocation[] {
        StandardLocation.CLASS_OUTPUT, StandardLocation.SOURCE_PATH, StandardLocation.CLASS_PATH}) {
      header = readHeader(location, pkg, relative, site, resource);
      if (header != null) {
        break;
      }
    }
    if (header == null) {
      return; // not visible at compile time: the generated constructor's load checks it
    }
    Map<String, Object> tensors;
    try {
      Object parsed = new MiniJson(new String(header, StandardCharsets.UTF_8)).value();
      if (!(parsed instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("the header is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) map;
      tensors = typed;
    } catch (IllegalArgumentException e) {
      diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "its header is corrupt: " + e.getMessage());
      return;
    }
    List<String> expected = new ArrayList<>();
    for (LayerPlan layer : plan.layers()) {
      for (LayerPlan.TensorPlan t : layer.tensors()) {
        String name = layer.name() + "." + t.suffix();
        expected.add(name);
        Object entry = tensors.get(name);
        if (!(entry instanceof Map<?, ?> info)) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "tensor \"" + name + "\" is missing");
          continue;
        }
        Object dtype = info.get("dtype");
        if (!"F32".equals(dtype)) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
              "tensor \"" + name + "\" has dtype " + dtype + ", expected F32");
        }
        List<Long> shape = new ArrayList<>();
        if (info.get("shape") instanceof List<?> dims) {
          for (Object d : dims) {
            shape.add(d instanceof Long l ? l : -1L);
          }
        }
        List<Long> planned = new ArrayList<>();
        for (int d : t.parameter().savedShape().toArray()) {
          planned.add((long) d);
        }
        if (!shape.equals(planned)) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
              "tensor \"" + name + "\" has shape " + shape + ", expected " + planned);
        }
      }
    }
    for (String name : tensors.keySet()) {
      if (!name.equals("__metadata__") && !expected.contains(name)) {
        diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
            "tensor \"" + name + "\" is not in network " + type.getSimpleName() + " (it has " + expected + ")");
      }
    }
  }

  private byte[] readHeader(StandardLocation location, String pkg, String relative, Site site, String resource) {
    FileObject file;
    InputStream in;
    try {
      file = filer.getResource(location, pkg, relative);
      in = file.openInputStream();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      return null; // not in this location
    }
    try (in) {
      byte[] size = in.readNBytes(8);
      if (size.length < 8) {
        diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "it is shorter than a safetensors header");
        return new byte[] {'{', '}'};
      }
      long length = ByteBuffer.wrap(size).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (length < 2 || length > MAX_HEADER_BYTES) {
        diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "its header length " + length + " is implausible");
        return new byte[] {'{', '}'};
      }
      byte[] header = in.readNBytes((int) length);
      if (header.length < length) {
        diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "it is truncated inside its header");
        return new byte[] {'{', '}'};
      }
      return header;
    } catch (IOException e) {
      diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "it could not be read: " + e.getMessage());
      return new byte[] {'{', '}'};
    }
  }

  private static String packageOf(TypeElement type) {
    javax.lang.model.element.Element e = type;
    while (!(e instanceof javax.lang.model.element.PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((javax.lang.model.element.PackageElement) e).getQualifiedName().toString();
  }

  /** Just enough JSON for a safetensors header: objects, arrays, strings, integers, literals. */
  static final class MiniJson {
    private final String text;
    private int pos;
    private int depth;

    MiniJson(String text) {
      this.text = text;
    }

    Object value() {
      skipSpace();
      if (pos >= text.length()) {
        throw new IllegalArgumentException("unexpected end at " + pos);
      }
      char c = text.charAt(pos);
      if (c == '{' || c == '[') {
        if (++depth > 32) {
          throw new IllegalArgumentException("nesting deeper than 32 at " + pos);
        }
        Object v = c == '{' ? object() : array();
        depth--;
        return v;
      }
      if (c == '"') {
        return string();
      }
      int start = pos;
      while (pos < text.length() && "+-0123456789.eEtrufalsn".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
      String token = text.substring(start, pos);
      switch (token) {
        case "true":
          return Boolean.TRUE;
        case "false":
          return Boolean.FALSE;
        case "null":
          return null;
        default:
          try {
            return Long.parseLong(token);
          } catch (NumberFormatException e) {
            try {
              return Double.parseDouble(token);
            } catch (NumberFormatException e2) {
              throw new IllegalArgumentException("unexpected \"" + token + "\" at " + start);
            }
          }
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> map = new LinkedHashMap<>();
      pos++;
      skipSpace();
      if (peek() == '}') {
        pos++;
        return map;
      }
      while (true) {
        skipSpace();
        if (peek() != '"') {
          throw new IllegalArgumentException("expected a key at " + pos);
        }
        String key = string();
        skipSpace();
        expect(':');
        map.put(key, value());
        skipSpace();
        if (peek() == ',') {
          pos++;
        } else {
          expect('}');
          return map;
        }
      }
    }

    private List<Object> array() {
      List<Object> list = new ArrayList<>();
      pos++;
      skipSpace();
      if (peek() == ']') {
        pos++;
        return list;
      }
      while (true) {
        list.add(value());
        skipSpace();
        if (peek() == ',') {
          pos++;
        } else {
          expect(']');
          return list;
        }
      }
    }

    private String string() {
      StringBuilder out = new StringBuilder();
      pos++;
      while (pos < text.length() && text.charAt(pos) != '"') {
        char c = text.charAt(pos++);
        if (c == '\\' && pos < text.length()) {
          char e = text.charAt(pos++);
          if (e == 'u' && pos + 4 <= text.length()) {
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            pos += 4;
          } else {
            out.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          }
        } else {
          out.append(c);
        }
      }
      expect('"');
      return out.toString();
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + pos);
      }
      pos++;
    }
  }
}
