package dev.kiln.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Formats the layer table of {@link Model#summary()} the way Keras 3 prints it: three columns for a
 * sequential network, and for a graph (several inputs, skip connections) Keras's functional table
 * with the input layers as rows and a fourth column, "Connected to".
 */
public final class Summary {
  private static final int[] SEQUENTIAL = {33, 24, 15};
  private static final int[] GRAPH = {31, 22, 11, 22};

  private Summary() {}

  public static String format(NetworkInfo info, Set<String> frozenLayers) {
    boolean graph = info.isGraph();
    int[] widths = graph ? GRAPH : SEQUENTIAL;
    List<LayerInfo> rows = new ArrayList<>();
    if (graph) {
      rows.addAll(info.inputs());
    }
    rows.addAll(info.layers());
    StringBuilder out = new StringBuilder();
    out.append("Model: \"").append(info.name()).append("\"\n");
    out.append(rule(widths, '┏', '━', '┳', '┓'));
    List<String> header = new ArrayList<>(List.of("Layer (type)", "Output Shape", "Param #"));
    if (graph) {
      header.add("Connected to");
    }
    out.append(line(widths, header, '┃'));
    out.append(rule(widths, '┡', '━', '╇', '┩'));
    for (int index = 0; index < rows.size(); index++) {
      LayerInfo layer = rows.get(index);
      if (index > 0) {
        out.append(rule(widths, '├', '─', '┼', '┤'));
      }
      List<List<String>> cells = new ArrayList<>();
      cells.add(wrap(layer.name() + " (" + layer.type() + ")", widths[0] - 2));
      cells.add(List.of(layer.outputShape().withBatch()));
      cells.add(List.of(String.format(Locale.ROOT, "%,d", layer.parameterCount())));
      if (graph) {
        cells.add(connections(layer));
      }
      int lines = cells.stream().mapToInt(List::size).max().orElse(1);
      for (int l = 0; l < lines; l++) {
        List<String> line = new ArrayList<>();
        for (List<String> cell : cells) {
          line.add(l < cell.size() ? cell.get(l) : "");
        }
        out.append(line(widths, line, '│'));
      }
    }
    out.append(rule(widths, '└', '─', '┴', '┘'));
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
    if (info.fromLogits()) {
      out.append(" Output: logits (the loss applies ").append(info.loss().startsWith("binary") ? "sigmoid" : "softmax")
          .append("; predict returns logits)\n");
    }
    return out.toString();
  }

  /** Keras's "Connected to": {@code dense[0][0]} per input, one per line; {@code -} for an input. */
  private static List<String> connections(LayerInfo layer) {
    if (layer.inputs().isEmpty()) {
      return List.of("-");
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < layer.inputs().size(); i++) {
      lines.add(layer.inputs().get(i) + "[0][0]" + (i < layer.inputs().size() - 1 ? "," : ""));
    }
    return lines;
  }

  private static String line(int[] widths, List<String> cells, char border) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      line.append(border).append(cell(cells.get(c), widths[c], c == 2));
    }
    return line.append(border).append('\n').toString();
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

  private static String rule(int[] widths, char left, char line, char cross, char right) {
    StringBuilder rule = new StringBuilder().append(left);
    for (int c = 0; c < widths.length; c++) {
      rule.append(String.valueOf(line).repeat(widths[c])).append(c < widths.length - 1 ? cross : right);
    }
    return rule.append('\n').toString();
  }

  private static String cell(String text, int width, boolean alignRight) {
    return alignRight ? " ".repeat(Math.max(0, width - 1 - text.length())) + text + " "
        : " " + text + " ".repeat(Math.max(0, width - 1 - text.length()));
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
