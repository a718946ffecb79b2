package dev.kiln.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * W6's corpus: every file of {@value #DIRECTORY} (Debian's base-files; symbolic links such as
 * {@code GPL -> GPL-3} count as the files they name), in name order, read as UTF-8 and concatenated.
 * Its vocabulary is its distinct characters in code order; on Debian 12 that is {@value #VOCABULARY}
 * of them over 303,076 characters. {@code samples/src/test/python/bench_w6.py} reads it the same way.
 */
final class LicenseCorpus {
  static final String DIRECTORY = "/usr/share/common-licenses";
  /** The distinct characters of the corpus on Debian 12: {@link LicenseLstm}'s one-hot width. */
  static final int VOCABULARY = 86;

  final String text;
  /** The vocabulary in code order. */
  final char[] characters;
  /** Each character of the text as its index in {@link #characters}. */
  final int[] ids;

  private LicenseCorpus(String text) {
    this.text = text;
    this.characters = text.chars().distinct().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint,
        StringBuilder::append).toString().toCharArray();
    this.ids = new int[text.length()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = java.util.Arrays.binarySearch(characters, text.charAt(i));
    }
  }

  static LicenseCorpus load(Path directory) throws IOException {
    StringBuilder text = new StringBuilder();
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path file : files) {
      text.append(Files.readString(file, StandardCharsets.UTF_8));
    }
    return new LicenseCorpus(text.toString());
  }

  /**
   * {@code count} training batches of {@code batch} windows at seeded random offsets: one-hot
   * inputs [batch][steps * vocabulary] and next-character targets [batch][steps].
   */
  float[][][][] batches(int count, int batch, int steps, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int vocabulary = characters.length;
    float[][][][] batches = new float[count][2][][];
    for (int b = 0; b < count; b++) {
      float[][] x = new float[batch][steps * vocabulary];
      float[][] y = new float[batch][steps];
      for (int s = 0; s < batch; s++) {
        int start = random.nextInt(ids.length - steps - 1);
        for (int t = 0; t < steps; t++) {
          x[s][t * vocabulary + ids[start + t]] = 1;
          y[s][t] = ids[start + t + 1];
        }
      }
      batches[b][0] = x;
      batches[b][1] = y;
    }
    return batches;
  }
}
