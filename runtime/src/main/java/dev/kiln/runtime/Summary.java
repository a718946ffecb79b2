package dev.kiln.runtime;

import java.util.Locale;

/** Formats the layer table of {@link Model#summary()} the way Keras 3 prints it. */
final class Summary {
  private static final int NAME_WIDTH = 33;
  private static final int SHAPE_WIDTH = 24;
  private static final int PARAMS_WIDTH = 15;

  private Summary() {}

  static String format(NetworkInfo info) {
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
      out.append('│').append(cell(layer.name() + " (" + layer.type() + ")", NAME_WIDTH, false))
          .append('│').append(cell(shape(layer.outputShape()), SHAPE_WIDTH, false))
          .append('│').append(cell(String.format(Locale.ROOT, "%,d", layer.parameterCount()), PARAMS_WIDTH, true))
          .append("│\n");
    }
    out.append(rule('└', '─', '┴', '┘'));
    long total = info.parameterCount();
    out.append(" Total params: ").append(count(total)).append('\n');
    out.append(" Trainable params: ").append(count(total)).append('\n');
    out.append(" Non-trainable params: ").append(count(0)).append('\n');
    return out.toString();
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
