package dev.kiln.runtime.internal;

import java.io.PrintStream;
import java.nio.charset.Charset;
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

  /** Box-drawing characters a summary uses; all must be encodable for {@link #format} to use them. */
  static final String BOX_CHARACTERS = "┏━┳┓┃┡╇┩├─┼┤│└┴┘";

  /**
   * The table in Keras's box-drawing characters when standard output can show them ({@link
   * #stdoutCharset()}), else in ASCII ({@code + - = |}), so a console in the C locale shows a table
   * rather than question marks.
   */
  public static String format(NetworkInfo info, Set<String> frozenLayers) {
    return format(info, frozenLayers, canDrawBoxes(stdoutCharset()));
  }

  /** Whether {@code charset} encodes every box-drawing character of the summary. */
  public static boolean canDrawBoxes(Charset charset) {
    return charset.canEncode() && charset.newEncoder().canEncode(BOX_CHARACTERS);
  }

  /**
   * The charset {@code System.out} encodes with: {@code PrintStream.charset()} on JDK 18 and later
   * (through reflection: the code compiles for 17); on 17, {@code sun.stdout.encoding} when set
   * (a Windows console), else {@code file.encoding}, which a JDK 17 PrintStream uses.
   */
  public static Charset stdoutCharset() {
    PrintStream out = System.out;
    try {
      return (Charset) PrintStream.class.getMethod("charset").invoke(out);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // JDK 17: no PrintStream.charset()
    }
    for (String property : new String[] {"stdout.encoding", "sun.stdout.encoding", "file.encoding"}) {
      String name = System.getProperty(property);
      if (name != null) {
        try {
          return Charset.forName(name);
        } catch (IllegalArgumentException e) {
          // an unknown name: try the next
        }
      }
    }
    return Charset.defaultCharset();
  }

  /** The table with box-drawing characters ({@code unicode}) or ASCII ones. */
  public static String format(NetworkInfo info, Set<String> frozenLayers, boolean unicode) {
    String text = table(info, frozenLayers);
    return unicode ? text : ascii(text);
  }

  /** Box-drawing to ASCII: corners and crossings {@code +}, the header's rule {@code =}, lines {@code -}, borders {@code |}. */
  static String ascii(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      boolean headerRule = line.startsWith("┡");
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        switch (c) {
          case '┏', '┳', '┓', '┡', '╇', '┩', '├', '┼', '┤', '└', '┴', '┘' -> b.append('+');
          case '━', '─' -> b.append(headerRule ? '=' : '-');
          case '┃', '│' -> b.append('|');
          default -> b.append(c);
        }
      }
      b.append('\n');
    }
    return b.substring(0, b.length() - 1);
  }

  private static String table(NetworkInfo info, Set<String> frozenLayers) {
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
