package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formats the layer table of {@link Model#summary()} the way Keras 3 prints it. */
final class Summary {
  private static final int NAME_WIDTH = 33;
  private static final int SHAPE_WIDTH = 24;
  private static final int PARAMS_WIDTH = 15;

  private Summary() {}

  static String format(NetworkInfo info, java.util.Set<String> frozenLayers) {
    StringBuilder out = new StringBuilder();
    out.append("Model: \"").append(info.name()).append("\"\n");
    out.append(rule('┏', '━', '┳', '┓'));
    out.append('┃').append(cell("Layer (type)", NAME_WIDTH, false))
        .append('┃').append(cell("Output Shape", SHAPE_WIDTH, false))
        .append('┃').append(cell("Param #", PARAMS_WIDTH, true)).append("┃\n");
    out.append(rule('┡', '━', '╇', '┩'));
    int index = 0;
    for (LayerInfo layer : info.layers()) {
      if (index++ > 0) {
        out.append(rule('├', '─', '┼', '┤'));
      }
      List<String> names = wrap(layer.name() + " (" + layer.type() + ")", NAME_WIDTH - 2);
      for (int line = 0; line < names.size(); line++) {
        boolean first = line == 0;
        out.append('│').append(cell(names.get(line), NAME_WIDTH, false))
            .append('│').append(cell(first ? shape(layer.outputShape()) : "", SHAPE_WIDTH, false))
            .append('│').append(cell(first ? String.format(Locale.ROOT, "%,d", layer.parameterCount()) : "",
                PARAMS_WIDTH, true))
            .append("│\n");
      }
    }
    out.append(rule('└', '─', '┴', '┘'));
    long total = info.parameterCount();
    long trainable = info.trainableParameterCount();
    for (LayerInfo layer : info.layers()) {
      if (frozenLayers.contains(layer.name())) {
        trainable -= layer.trainableParameterCount();
      }
    }
    out.append(" Total params: ").append(count(total)).append('\n');
    out.append(" Trainable params: ").append(count(trainable)).append('\n');
    out.append(" Non-trainable params: ").append(count(total - trainable)).append('\n');
    return out.toString();
  }

  /** Splits at spaces into lines of at most {@code width} characters, as Keras wraps long cells. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  private static String rule(char left, char line, char cross, char right) {
    return left + String.valueOf(line).repeat(NAME_WIDTH) + cross + String.valueOf(line).repeat(SHAPE_WIDTH)
        + cross + String.valueOf(line).repeat(PARAMS_WIDTH) + right + "\n";
  }

  private static String cell(String text, int width, boolean alignRight) {
    String padded = alignRight ? " ".repeat(Math.max(0, width - 1 - text.length())) + text + " "
        : " " + text + " ".repeat(Math.max(0, width - 1 - text.length()));
    return padded;
  }

  private static String shape(int[] shape) {
    StringBuilder s = new StringBuilder("(None");
    for (int d : shape) {
      s.append(", ").append(d);
    }
    return s.append(')').toString();
  }

  /** "9 (36.00 B)": float32 parameters with their size in bytes, Keras's 1024-based units. */
  static String count(long parameters) {
    double bytes = parameters * 4.0;
    String[] units = {"B", "KB", "MB", "GB"};
    int unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%,d (%.2f %s)", parameters, bytes, units[unit]);
  }
}
