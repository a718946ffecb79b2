package dev.kiln.samples;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.ModelCore;
import dev.kiln.runtime.RecurrentState;
import dev.kiln.runtime.Sampling;
import dev.kiln.runtime.kernels.Parallelism;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * {@code kiln-samples.jar words [--words FILE] [--epochs N]} (3 epochs, about a minute on one core): a
 * character-level GRU ({@link
 * WordModel}) learns Debian's {@code wamerican} word list ({@value #WORD_LIST}, lowercase a-z
 * words only) and invents words. Words become one stream, each preceded by a boundary symbol
 * ({@code '\n'}, id 0; letters are 1-26), cut into windows of {@value WordModel#STEPS} symbols,
 * each predicting the next symbol at every position; 5% of the words (seeded) are held out for the
 * validation perplexity, exp(mean cross-entropy per symbol), printed per epoch. Generation steps
 * the model one symbol at a time from the zero state and a boundary, drawing each next symbol with
 * {@link Sampling} at a temperature, until the next boundary or {@value #MAX_LETTERS} letters; the
 * first draw excludes the boundary, so a word has at least one letter.
 */
public final class Words {
  static final String WORD_LIST = "/usr/share/dict/words";
  static final String INSTALL_COMMAND = "sudo apt-get install wamerican";
  /** Exit status when the word list is missing, as for Fashion-MNIST. */
  static final int EXIT_NO_WORDS = 3;
  static final int BOUNDARY = 0;
  static final int MAX_LETTERS = 20;
  static final double[] TEMPERATURES = {0.5, 0.8, 1.0, 2.0};

  private Words() {}

  /** The lines of {@code file} that are lowercase a-z words, each once, in file order. */
  static List<String> load(Path file) throws IOException {
    Set<String> words = new LinkedHashSet<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isEmpty() && line.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
        words.add(line);
      }
    }
    return new ArrayList<>(words);
  }

  /** The words as one symbol stream: a boundary before each word and one after the last. */
  static int[] encode(List<String> words) {
    int length = 1;
    for (String w : words) {
      length += w.length() + 1;
    }
    int[] stream = new int[length];
    int at = 0;
    for (String w : words) {
      stream[at++] = BOUNDARY;
      for (int i = 0; i < w.length(); i++) {
        stream[at++] = w.charAt(i) - 'a' + 1;
      }
    }
    stream[at] = BOUNDARY;
    return stream;
  }

  /**
   * Non-overlapping windows of {@code steps} symbols: inputs [n][steps] and, shifted by one, the
   * next symbols as targets [n][steps].
   */
  static float[][][] windows(int[] stream, int steps) {
    int n = (stream.length - 1) / steps;
    float[][] x = new float[n][steps];
    float[][] y = new float[n][steps];
    for (int w = 0; w < n; w++) {
      for (int t = 0; t < steps; t++) {
        x[w][t] = stream[w * steps + t];
        y[w][t] = stream[w * steps + t + 1];
      }
    }
    return new float[][][] {x, y};
  }

  /** Generates words one symbol at a time; reuses its state and buffers, so a word allocates only its string. */
  static final class Generator {
    private final ModelCore core;
    private final RecurrentState state;
    private final Sampling sampling;
    private final float[] input = new float[1];
    private final float[] probabilities = new float[WordModel.SYMBOLS];
    private final StringBuilder word = new StringBuilder(MAX_LETTERS);

    Generator(ModelCore core, long seed) {
      this.core = core;
      this.state = core.newState();
      this.sampling = new Sampling(WordModel.SYMBOLS, seed);
    }

    String next(double temperature) {
      state.reset();
      word.setLength(0);
      int symbol = BOUNDARY;
      while (word.length() < MAX_LETTERS) {
        input[0] = symbol;
        core.step(state, input, probabilities);
        if (word.length() == 0) {
          probabilities[BOUNDARY] = 0; // a word has at least one letter
        }
        symbol = sampling.sample(probabilities, temperature, 0);
        if (symbol == BOUNDARY) {
          break;
        }
        word.append((char) ('a' + symbol - 1));
      }
      return word.toString();
    }
  }

  /** Splits the words (seeded) into training and validation lists, 95% and 5%. */
  static List<List<String>> split(List<String> words, long seed) {
    List<String> shuffled = new ArrayList<>(words);
    Collections.shuffle(shuffled, new Random(seed));
    int validation = shuffled.size() / 20;
    return List.of(shuffled.subList(validation, shuffled.size()), shuffled.subList(0, validation));
  }

  static int run(String[] args) throws IOException {
    // One thread unless -Dkiln.threads says otherwise: the products are small (64 x 384 x 128 a
    // step), and on a loaded two-core machine the threaded GEMM's hand-offs made an epoch 8x slower
    // (164 s against 19 s).
    int threads = Parallelism.threads();
    if (System.getProperty("kiln.threads") == null) {
      Parallelism.setThreads(1);
    }
    try {
      return train(args);
    } finally {
      Parallelism.setThreads(threads);
    }
  }

  private static int train(String[] args) throws IOException {
    Path file = Path.of(WORD_LIST);
    int epochs = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--words") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].equals("--epochs") && i + 1 < args.length) {
        epochs = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: kiln-samples.jar words [--words FILE] [--epochs N]");
        return 2;
      }
    }
    if (!Files.isRegularFile(file)) {
      System.err.println("The word list " + file + " is missing. On Debian or Ubuntu install it with `"
          + INSTALL_COMMAND + "` (into " + WORD_LIST + "), or pass --words FILE naming a list with one word a line.");
      return EXIT_NO_WORDS;
    }
    List<String> words = load(file);
    List<List<String>> parts = split(words, 42);
    float[][][] train = windows(encode(parts.get(0)), WordModel.STEPS);
    float[][][] validation = windows(encode(parts.get(1)), WordModel.STEPS);
    System.out.printf(Locale.ROOT, "%,d lowercase a-z words in %s: %,d to train on (%,d windows of %d symbols),"
        + " %,d held out%n", words.size(), file, parts.get(0).size(), train[0].length, WordModel.STEPS,
        parts.get(1).size());
    WordModelModel model = new WordModelModel(42);
    System.out.print(model.summary());
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long start = System.nanoTime();
      double loss = model.fit(train[0], train[1], FitOptions.epochs(1).withBatchSize(WordModel.BATCH)
          .withShuffle(epoch).withVerbose(false)).get("loss")[0];
      double validationLoss = model.evaluate(validation[0], validation[1]).loss();
      System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, validation perplexity %.3f (%.0f s)%n", epoch, loss,
          Math.exp(validationLoss), (System.nanoTime() - start) / 1e9);
    }
    Set<String> known = new HashSet<>(words);
    Generator generator = new Generator(model.core(), 7);
    int drawn = 500;
    for (double temperature : TEMPERATURES) {
      List<String> shown = new ArrayList<>();
      int novel = 0;
      for (int i = 0; i < drawn; i++) {
        String word = generator.next(temperature);
        novel += known.contains(word) ? 0 : 1;
        if (shown.size() < 12) {
          shown.add(word);
        }
      }
      System.out.printf(Locale.ROOT, "temperature %.1f: %s ... %.0f%% of %d not in the word list%n", temperature,
          String.join(" ", shown), 100.0 * novel / drawn, drawn);
    }
    return 0;
  }
}
