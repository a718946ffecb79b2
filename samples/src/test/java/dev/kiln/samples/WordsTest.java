package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The words sample's pieces: the word list, the symbol stream and its windows, training and generation. */
class WordsTest {
  @Test
  void keepsLowercaseAsciiWordsOnceInFileOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("words");
    Files.writeString(file, "apple\nApple\nzebra's\ncaf\u00e9\n\napple\nb\nxyz\nUSA\n", StandardCharsets.UTF_8);
    assertEquals(List.of("apple", "b", "xyz"), Words.load(file));
  }

  @Test
  void wordsBecomeOneStreamOfBoundariesAndLettersCutIntoShiftedWindows() {
    int[] stream = Words.encode(List.of("ab", "c"));
    assertArrayEquals(new int[] {0, 1, 2, 0, 3, 0}, stream); // \n a b \n c \n
    float[][][] windows = Words.windows(stream, 2);
    assertArrayEquals(new float[][] {{0, 1}, {2, 0}}, windows[0]);
    assertArrayEquals(new float[][] {{1, 2}, {0, 3}}, windows[1]); // each input's next symbol
  }

  @Test
  void withoutTheWordListItExitsWithTheInstallCommand(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.run(new String[] {"words", "--words", dir.resolve("missing").toString()});
    } finally {
      System.setErr(original);
    }
    assertEquals(3, status);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("install it with `sudo apt-get install wamerican`"),
        err.toString(StandardCharsets.UTF_8));
  }

  /**
   * On the real list: the untrained model's validation loss is ln 27 (its outputs start near
   * uniform), and 60 training steps take it below the entropy of the stream's symbol frequencies
   * (a model that learned no more than how often each letter occurs would sit at that entropy).
   * Generated words are 1 to 20 letters a-z at every temperature, and a seed repeats them.
   */
  @Test
  void aFewStepsOnTheRealListLearnMoreThanLetterFrequenciesAndGenerationGivesWords() throws Exception {
    Path list = Path.of(Words.WORD_LIST);
    Assumptions.assumeTrue(Files.isRegularFile(list), "the word list is not installed (apt-get install wamerican)");
    List<List<String>> parts = Words.split(Words.load(list), 42);
    int[] trainStream = Words.encode(parts.get(0));
    float[][][] train = Words.windows(trainStream, WordModel.STEPS);
    float[][][] validation = Words.windows(Words.encode(parts.get(1)), WordModel.STEPS);
    double entropy = unigramEntropy(trainStream);
    int threads = dev.kiln.runtime.kernels.Parallelism.threads();
    dev.kiln.runtime.kernels.Parallelism.setThreads(1); // as the sample: small products
    try {
      learnAndGenerate(train, validation, entropy);
    } finally {
      dev.kiln.runtime.kernels.Parallelism.setThreads(threads);
    }
  }

  private static void learnAndGenerate(float[][][] train, float[][][] validation, double entropy) {
    WordModelModel model = new WordModelModel(42);
    double before = model.evaluate(validation[0], validation[1]).loss();
    assertEquals(Math.log(27), before, 0.05);
    int batch = WordModel.BATCH;
    for (int step = 0; step < 60; step++) {
      float[][] x = java.util.Arrays.copyOfRange(train[0], step * batch, (step + 1) * batch);
      float[][] y = java.util.Arrays.copyOfRange(train[1], step * batch, (step + 1) * batch);
      model.trainOnBatch(x, y);
    }
    double after = model.evaluate(validation[0], validation[1]).loss();
    assertTrue(after < entropy, "validation loss " + after + " after 60 steps, symbol entropy " + entropy);

    for (double temperature : Words.TEMPERATURES) {
      Words.Generator generator = new Words.Generator(model.core(), 3);
      List<String> words = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String word = generator.next(temperature);
        assertTrue(word.matches("[a-z]{1,20}"), "'" + word + "' at temperature " + temperature);
        words.add(word);
      }
      Words.Generator again = new Words.Generator(model.core(), 3);
      for (String word : words) {
        assertEquals(word, again.next(temperature));
      }
      assertNotEquals(1, words.stream().distinct().count(), "one word only at temperature " + temperature);
    }
  }

  /** -Σ p log p over the symbols' frequencies in the stream (nats). */
  private static double unigramEntropy(int[] stream) {
    long[] counts = new long[WordModel.SYMBOLS];
    for (int s : stream) {
      counts[s]++;
    }
    double entropy = 0;
    for (long c : counts) {
      if (c > 0) {
        double p = (double) c / stream.length;
        entropy -= p * Math.log(p);
      }
    }
    return entropy;
  }
}
