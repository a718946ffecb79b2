package dev.kiln.processor.layers;

import dev.kiln.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;

/** Text shared by the kinds' messages. */
final class Layers {
  private Layers() {}

  /** {@code a (6) and b (4)}: the inputs with the shapes they give. */
  static String describe(List<String> names, List<Shape> shapes) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      parts.add((i < names.size() ? names.get(i) : "input") + " " + shapes.get(i));
    }
    return String.join(" and ", parts);
  }
}
