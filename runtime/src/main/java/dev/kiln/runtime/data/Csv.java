package dev.kiln.runtime.data;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads a numeric CSV file with a header line into a feature matrix and class labels, with the
 * JDK alone.
 *
 * <p>Format: UTF-8 text; the first non-comment line is the header naming the columns; every
 * following line is one sample with the same number of comma-separated fields. Fields may be
 * surrounded by spaces (trimmed) and by double quotes (a doubled quote {@code ""} inside a quoted
 * field stands for one quote; quoted fields cannot span lines). Lines whose first character is
 * {@code #} are comments and are skipped; blank lines at the end of the file are ignored, a blank
 * line followed by more data is an error. {@code \n} and {@code \r\n} line ends are accepted.
 *
 * <p>One column holds the label; all others are features and must be finite decimal numbers
 * (such as {@code 5.1}, {@code -2}, {@code 1e-3}; no {@code NaN}, {@code Infinity}, hex or type
 * suffixes) within float range. The target kind is chosen by the method: {@link #read} reads class
 * labels, {@link #readRegression} numeric targets. For {@code read}, if every label is a
 * non-negative decimal integer the labels are those integers and class {@code i} is named {@code
 * "i"}; if every label is a number but some are not such integers ({@code 2.5}, {@code -1}) the
 * column is ambiguous and an error (a regression target read as classes would train the wrong
 * loss silently); otherwise each distinct label text is a class name, numbered from 0 in
 * first-seen order ({@link Table#classes()} exposes the mapping). {@link Table#oneHotLabels()}
 * gives one-hot rows instead.
 *
 * <p>Any malformed input (empty file, duplicate or missing label column, wrong field count,
 * non-numeric or out-of-range field, unterminated quote, over-long line, invalid UTF-8) throws a
 * {@link KilnFormatException} naming the file, the 1-based line and, for a field, the column
 * name, for example {@code iris.csv: line 7, column "petal_width": "abc" is not a number}.
 * Reading streams line by line; nothing is allocated from a size the file claims.
 */
public final class Csv {
  /** Longest line accepted, in characters. */
  public static final int MAX_LINE_CHARS = 1 << 20;

  /** Most classes accepted (also bounds the largest integer label: {@code MAX_CLASSES - 1}). */
  public static final int MAX_CLASSES = 1 << 16;

  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  private static final Pattern INTEGER = Pattern.compile("[0-9]+");

  private Csv() {}

  /**
   * A CSV file read into memory.
   *
   * @param featureNames the feature column names, in file order (the label column left out)
   * @param labelName the label column's name
   * @param features one row per sample, {@code featureNames.length} values each
   * @param labels the class index of each sample
   * @param classes class names by index: {@code classes.get(labels[i])} is sample {@code i}'s
   *     label as written (for integer labels, {@code "0"} to {@code "max"})
   */
  public record Table(
      List<String> featureNames,
      String labelName,
      float[][] features,
      int[] labels,
      List<String> classes) {
    public Table {
      featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
      classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
      Objects.requireNonNull(labelName, "labelName");
      Objects.requireNonNull(features, "features");
      Objects.requireNonNull(labels, "labels");
      if (features.length != labels.length) {
        throw new IllegalArgumentException(
            features.length + " feature rows but " + labels.length + " labels");
      }
    }

    /** Number of samples. */
    public int size() {
      return labels.length;
    }

    /** Number of classes, {@code classes().size()}. */
    public int classCount() {
      return classes.size();
    }

    /** The labels as one-hot rows of {@link #classCount()} values: a new array. */
    public float[][] oneHotLabels() {
      float[][] out = new float[labels.length][classes.size()];
      for (int i = 0; i < labels.length; i++) {
        out[i][labels[i]] = 1f;
      }
      return out;
    }

    /** The class index named {@code name}, or -1. */
    public int classIndex(String name) {
      return classes.indexOf(name);
    }
  }

  /** Reads {@code path}, taking the column named {@code labelColumn} as the label. */
  public static Table read(Path path, String labelColumn) throws IOException {
    Objects.requireNonNull(labelColumn, "labelColumn");
    try (Reader reader = open(path)) {
      return read(reader, path.toString(), labelColumn, -1);
    }
  }

  /**
   * Reads {@code path}, taking column {@code labelColumn} (0-based; negative counts from the end,
   * so -1 is the last column) as the label.
   */
  public static Table read(Path path, int labelColumn) throws IOException {
    try (Reader reader = open(path)) {
      return read(reader, path.toString(), null, labelColumn);
    }
  }

  /**
   * Reads CSV text from {@code reader} (not closed), naming it {@code source} in error messages,
   * taking the column named {@code labelColumn} as the label.
   */
  public static Table read(Reader reader, String source, String labelColumn) throws IOException {
    Objects.requireNonNull(labelColumn, "labelColumn");
    return read(reader, source, labelColumn, -1);
  }

  /**
   * Reads CSV text from {@code reader} (not closed), naming it {@code source} in error messages,
   * taking column {@code labelColumn} (0-based, negative from the end) as the label.
   */
  public static Table read(Reader reader, String source, int labelColumn) throws IOException {
    return read(reader, source, null, labelColumn);
  }

  /**
   * A CSV file read for regression: the target column's values are numbers, as the features are.
   *
   * @param featureNames the feature column names, in file order (the target column left out)
   * @param targetName the target column's name
   * @param features one row per sample, {@code featureNames.size()} values each
   * @param targets one row of one value per sample, the shape {@code fit} takes for a network with
   *     one output
   */
  public record Regression(List<String> featureNames, String targetName, float[][] features, float[][] targets) {
    public Regression {
      featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
      Objects.requireNonNull(targetName, "targetName");
      Objects.requireNonNull(features, "features");
      Objects.requireNonNull(targets, "targets");
      if (features.length != targets.length) {
        throw new IllegalArgumentException(features.length + " feature rows but " + targets.length + " targets");
      }
    }

    /** Number of samples. */
    public int size() {
      return targets.length;
    }
  }

  /**
   * Reads {@code path} for regression, taking the column named {@code targetColumn} as a numeric
   * target: its fields must be finite decimal numbers within float range, as features are. ({@link
   * #read} reads class labels instead, and rejects a column of numbers that are not class
   * indices, so a regression target never silently becomes classes.)
   */
  public static Regression readRegression(Path path, String targetColumn) throws IOException {
    Objects.requireNonNull(targetColumn, "targetColumn");
    try (Reader reader = open(path)) {
      return regression(parse(reader, path.toString(), targetColumn, -1));
    }
  }

  /** As {@link #readRegression(Path, String)} with the target column by index (negative from the end). */
  public static Regression readRegression(Path path, int targetColumn) throws IOException {
    try (Reader reader = open(path)) {
      return regression(parse(reader, path.toString(), null, targetColumn));
    }
  }

  /** As {@link #readRegression(Path, String)} from {@code reader} (not closed), named {@code source}. */
  public static Regression readRegression(Reader reader, String source, String targetColumn) throws IOException {
    Objects.requireNonNull(targetColumn, "targetColumn");
    return regression(parse(reader, source, targetColumn, -1));
  }

  private static Regression regression(Parsed p) throws KilnFormatException {
    float[][] targets = new float[p.rows.size()][];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = new float[] {number(p.texts.get(i), p.source, p.lines.get(i), p.labelName)};
    }
    return new Regression(p.featureNames, p.labelName, p.rows.toArray(new float[0][]), targets);
  }

  private static String firstNonIndex(List<String> texts) {
    for (String t : texts) {
      if (!INTEGER.matcher(t).matches()) {
        return t;
      }
    }
    throw new IllegalStateException("every label is an index");
  }

  private static Reader open(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    return new InputStreamReader(
        Files.newInputStream(path),
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private static Table read(Reader in, String source, String labelName, int labelIndex)
      throws IOException {
    Parsed p = parse(in, source, labelName, labelIndex);
    return table(p.source, p.labelName, p.featureNames, p.rows, p.texts, p.lines);
  }

  /** The lines of a file, split into feature rows and the label column's texts. */
  private record Parsed(String source, String labelName, List<String> featureNames, List<float[]> rows,
      List<String> texts, List<Long> lines) {}

  private static Parsed parse(Reader in, String source, String labelName, int labelIndex)
      throws IOException {
    Objects.requireNonNull(in, "reader");
    Objects.requireNonNull(source, "source");
    LineReader lines = new LineReader(in, source);
    String line;
    List<String> header = null;
    long headerLine = 0;
    while ((line = lines.next()) != null) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        throw new KilnFormatException(
            source + ": line " + lines.number + " is blank where the header line was expected");
      }
      header = split(line, source, lines.number);
      headerLine = lines.number;
      break;
    }
    if (header == null) {
      throw new KilnFormatException(source + ": empty file, expected a header line");
    }
    Map<String, Integer> byName = new HashMap<>();
    for (int c = 0; c < header.size(); c++) {
      String name = header.get(c);
      if (name.isEmpty()) {
        throw new KilnFormatException(
            source + ": line " + lines.number + ", column " + (c + 1) + ": empty column name");
      }
      Integer previous = byName.put(name, c);
      if (previous != null) {
        throw new KilnFormatException(source + ": line " + lines.number + ", column \"" + name
            + "\": duplicate column name (columns " + (previous + 1) + " and " + (c + 1) + ")");
      }
    }
    int columns = header.size();
    int label;
    if (labelName != null) {
      Integer found = byName.get(labelName);
      if (found == null) {
        throw new KilnFormatException(source + ": line " + lines.number
            + ": no label column \"" + labelName + "\" in header " + header);
      }
      label = found;
    } else {
      label = labelIndex < 0 ? columns + labelIndex : labelIndex;
      if (label < 0 || label >= columns) {
        throw new KilnFormatException(source + ": line " + lines.number + ": label column index "
            + labelIndex + " is out of range for the " + columns + " columns of header " + header);
      }
    }
    if (columns < 2) {
      throw new KilnFormatException(source + ": line " + lines.number + ": header " + header
          + " has no feature columns besides the label column");
    }
    List<String> featureNames = new ArrayList<>(header);
    featureNames.remove(label);
    int features = columns - 1;

    List<float[]> rows = new ArrayList<>();
    List<String> labelTexts = new ArrayList<>();
    List<Long> labelLines = new ArrayList<>();
    long blankLine = -1;
    while ((line = lines.next()) != null) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (blankLine < 0) {
          blankLine = lines.number;
        }
        continue;
      }
      if (blankLine >= 0) {
        throw new KilnFormatException(source + ": line " + blankLine
            + " is blank but data follows on line " + lines.number);
      }
      List<String> fields = split(line, source, lines.number);
      if (fields.size() != columns) {
        throw new KilnFormatException(source + ": line " + lines.number + " has " + fields.size()
            + " fields, expected " + columns + " as in the header");
      }
      float[] row = new float[features];
      for (int c = 0, f = 0; c < columns; c++) {
        if (c == label) {
          continue;
        }
        row[f++] = number(fields.get(c), source, lines.number, header.get(c));
      }
      String text = fields.get(label);
      if (text.isEmpty()) {
        throw new KilnFormatException(source + ": line " + lines.number + ", column \""
            + header.get(label) + "\": empty label");
      }
      rows.add(row);
      labelTexts.add(text);
      labelLines.add(lines.number);
    }
    if (rows.isEmpty()) {
      throw new KilnFormatException(source + ": no data lines after the header on line "
          + headerLine);
    }
    return new Parsed(source, header.get(label), featureNames, rows, labelTexts, labelLines);
  }

  private static Table table(String source, String labelName, List<String> featureNames,
      List<float[]> rows, List<String> texts, List<Long> lines) throws KilnFormatException {
    int n = rows.size();
    int[] labels = new int[n];
    boolean integers = true;
    for (String t : texts) {
      if (!INTEGER.matcher(t).matches()) {
        integers = false;
        break;
      }
    }
    if (!integers) {
      boolean numbers = true;
      for (String t : texts) {
        numbers &= DECIMAL.matcher(t).matches();
      }
      if (numbers) {
        throw new KilnFormatException(source + ": column \"" + labelName + "\": every label is a number but not all"
            + " are class indices (non-negative integers), e.g. " + quoteForMessage(firstNonIndex(texts))
            + " on line " + lines.get(texts.indexOf(firstNonIndex(texts))) + "; for numeric targets use"
            + " Csv.readRegression, for classes write indices or names");
      }
    }
    List<String> classes = new ArrayList<>();
    if (integers) {
      int max = -1;
      for (int i = 0; i < n; i++) {
        String t = texts.get(i);
        String digits = t.replaceFirst("^0+(?=.)", "");
        int value = digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (value >= MAX_CLASSES) {
          throw new KilnFormatException(source + ": line " + lines.get(i) + ", column \""
              + labelName + "\": label " + t + " is above the largest class index "
              + (MAX_CLASSES - 1));
        }
        labels[i] = value;
        max = Math.max(max, value);
      }
      for (int c = 0; c <= max; c++) {
        classes.add(Integer.toString(c));
      }
    } else {
      Map<String, Integer> index = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String t = texts.get(i);
        Integer c = index.get(t);
        if (c == null) {
          if (index.size() >= MAX_CLASSES) {
            throw new KilnFormatException(source + ": line " + lines.get(i) + ", column \""
                + labelName + "\": more than " + MAX_CLASSES + " distinct labels");
          }
          c = index.size();
          index.put(t, c);
          classes.add(t);
        }
        labels[i] = c;
      }
    }
    return new Table(featureNames, labelName, rows.toArray(new float[0][]), labels,
        Collections.unmodifiableList(classes));
  }

  private static float number(String text, String source, long line, String column)
      throws KilnFormatException {
    if (!DECIMAL.matcher(text).matches()) {
      throw new KilnFormatException(source + ": line " + line + ", column \"" + column + "\": "
          + (text.isEmpty() ? "empty field" : quoteForMessage(text) + " is not a number"));
    }
    float value = Float.parseFloat(text);
    if (Float.isInfinite(value)) {
      throw new KilnFormatException(source + ": line " + line + ", column \"" + column + "\": "
          + text + " is out of float range");
    }
    return value;
  }

  private static String quoteForMessage(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return '"' + shown + '"';
  }

  /** Splits one line into trimmed, unquoted fields. */
  static List<String> split(String line, String source, long lineNumber)
      throws KilnFormatException {
    List<String> fields = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      StringBuilder field = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        int open = i;
        i++;
        while (true) {
          if (i >= n) {
            throw new KilnFormatException(source + ": line " + lineNumber + ", field "
                + (fields.size() + 1) + ": unterminated quote opened at character " + (open + 1));
          }
          char ch = line.charAt(i++);
          if (ch == '"') {
            if (i < n && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(ch);
          }
        }
        while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
          i++;
        }
        if (i < n && line.charAt(i) != ',') {
          throw new KilnFormatException(source + ": line " + lineNumber + ", field "
              + (fields.size() + 1) + ": unexpected character '" + line.charAt(i)
              + "' after closing quote at character " + (i + 1));
        }
        fields.add(field.toString());
      } else {
        int start = i;
        while (i < n && line.charAt(i) != ',') {
          if (line.charAt(i) == '"') {
            throw new KilnFormatException(source + ": line " + lineNumber + ", field "
                + (fields.size() + 1) + ": quote inside an unquoted field at character "
                + (i + 1));
          }
          i++;
        }
        fields.add(line.substring(start, i).strip());
      }
      if (i >= n) {
        return fields;
      }
      i++; // the comma
    }
  }

  /** Reads lines of at most {@link #MAX_LINE_CHARS}, counting them from 1. */
  private static final class LineReader {
    private final BufferedReader in;
    private final String source;
    private final StringBuilder buffer = new StringBuilder();
    long number;
    private boolean eof;

    LineReader(Reader in, String source) {
      this.in = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
      this.source = source;
    }

    String next() throws IOException {
      if (eof) {
        return null;
      }
      buffer.setLength(0);
      number++;
      while (true) {
        int c;
        try {
          c = in.read();
        } catch (CharacterCodingException e) {
          throw new KilnFormatException(
              source + ": line " + number + ": invalid UTF-8 (" + e + ")", e);
        }
        if (c < 0) {
          eof = true;
          if (buffer.length() == 0) {
            number--;
            return null;
          }
          break;
        }
        if (c == '\n') {
          break;
        }
        if (buffer.length() >= MAX_LINE_CHARS) {
          throw new KilnFormatException(source + ": line " + number + " is longer than "
              + MAX_LINE_CHARS + " characters");
        }
        buffer.append((char) c);
      }
      int end = buffer.length();
      if (end > 0 && buffer.charAt(end - 1) == '\r') {
        end--;
      }
      if (number == 1 && end > 0 && buffer.charAt(0) == '\uFEFF') {
        return buffer.substring(1, end);
      }
      return buffer.substring(0, end);
    }
  }
}
