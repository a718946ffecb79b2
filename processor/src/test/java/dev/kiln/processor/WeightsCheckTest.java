package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import java.io.File;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compile-time {@code @Weights} check and the runtime's load read headers with the same
 * reader (kiln-safetensors), so a file fails to compile exactly when loading it would fail: each
 * broken file here is rejected by {@link SafeTensors#read} too, and the compile error carries the
 * runtime's words for the problem.
 */
class WeightsCheckTest {
  @TempDir Path dir;

  private static final String HEADER = "package test; import dev.kiln.annotations.*; import dev.kiln.runtime.Layer;\n";

  /** 2 -> 2 -> 1 dense network, as in ProcessorDiagnosticsTest; line 3 holds the @Weights value. */
  private static final String NET = """
      @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
      @Weights("w.safetensors")
      interface Net {
        @Dense(units = 2)
        Layer hidden();

        @Dense(units = 1)
        Layer output();
      }
      """;
  private static final int WEIGHTS_LINE = 3;

  private static final String FITTING_ENTRIES =
      "\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
          + "\"hidden.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
          + "\"output.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[24,32]},"
          + "\"output.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}";

  @Test
  void theFittingFileCompiles() throws Exception {
    byte[] bytes = file("{" + FITTING_ENTRIES + "}", 36);
    SafeTensors.read(Files.write(dir.resolve("ok.safetensors"), bytes)); // the runtime accepts it
    Compilation compilation = compile(NET, bytes);
    assertThat(compilation).succeeded();
    assertThat(kilnDiagnostics(compilation)).isEmpty();
  }

  @Test
  void aDuplicateKeyIsRejectedAsAtRunTime() throws Exception {
    byte[] bytes = file("{" + FITTING_ENTRIES
        + ",\"output.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,40]}}", 40);
    String problem = runtimeProblem(bytes);
    assertEquals("header is not valid JSON: duplicate key \"output.bias\" at byte 268 of the header", problem);
    assertRejected(bytes, problem);
  }

  @Test
  void aBadEscapeIsRejectedAsAtRunTime() throws Exception {
    byte[] bytes = file("{" + FITTING_ENTRIES.replace("\"hidden.bias\"", "\"hidden\\.bias\"") + "}", 36);
    String problem = runtimeProblem(bytes);
    assertEquals("header is not valid JSON: invalid escape at byte 76 of the header", problem);
    assertRejected(bytes, problem);
  }

  @Test
  void aHeaderThatLiesAboutTheDataLengthIsRejectedAsAtRunTime() throws Exception {
    byte[] longer = file("{" + FITTING_ENTRIES + "}", 40);
    String problem = runtimeProblem(longer);
    assertEquals("data buffer has 40 bytes but the tensors cover only 36 (4 trailing bytes)", problem);
    assertRejected(longer, problem);

    byte[] shorter = file("{" + FITTING_ENTRIES + "}", 20);
    problem = runtimeProblem(shorter);
    assertEquals("tensor \"hidden.bias\" data_offsets [16, 24] run past the end of the data buffer, which has "
        + "20 bytes (truncated?)", problem);
    assertRejected(shorter, problem);

    byte[] wrongSpan = file("{" + FITTING_ENTRIES.replace("[32,36]", "[32,40]") + "}", 40);
    problem = runtimeProblem(wrongSpan);
    assertEquals("tensor \"output.bias\" (F32, shape [1]) needs 4 bytes but data_offsets [32, 40] span 8", problem);
    assertRejected(wrongSpan, problem);
  }

  @Test
  void aFileThatIsNotSafetensorsAtAllSaysSo() throws Exception {
    byte[] text = "hidden.weight = [[1, 2], [3, 4]]\n".getBytes(StandardCharsets.US_ASCII);
    String problem = runtimeProblem(text);
    assertEquals("not a safetensors file (it starts with the text \"hidden.w\", not an 8-byte header length "
        + "followed by a '{' JSON header)", problem);
    assertRejected(text, problem);
  }

  @Test
  void aFileInsideAJarIsCheckedThroughTheSameReader() throws Exception {
    Path jar = dir.resolve("weights.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
      zip.putNextEntry(new JarEntry("test/w.safetensors"));
      zip.write(file("{" + FITTING_ENTRIES + "}", 37)); // one trailing byte
      zip.closeEntry();
    }
    Compilation compilation = compileWithClasspathEntry(NET, jar.toFile());
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("[kiln.weights.format] @Weights file w.safetensors cannot be "
        + "loaded: data buffer has 37 bytes but the tensors cover only 36 (1 trailing byte")
        .inFile(compilation.sourceFiles().get(0)).onLine(WEIGHTS_LINE);
  }

  // ------------------------------------------------------------------ PyTorch's num_batches_tracked

  private static final String BN_NET = """
      @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
      @Weights("w.safetensors")
      interface Net {
        @Dense(units = 2, useBias = false)
        Layer d();

        @BatchNorm
        Layer bn();
      }
      """;

  private static final String BN_ENTRIES =
      "\"d.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
          + "\"bn.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
          + "\"bn.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
          + "\"bn.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]},"
          + "\"bn.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]}";

  @Test
  void aBatchNormStateDictCompilesWithOrWithoutItsStepCounter() throws Exception {
    for (String counter : new String[] {"",
        ",\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[48,56]}",
        ",\"bn.num_batches_tracked\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[48,52]}"}) {
      int length = counter.isEmpty() ? 48 : counter.contains("I64") ? 56 : 52;
      Compilation compilation = compile(BN_NET, file("{" + BN_ENTRIES + counter + "}", length));
      assertThat(compilation).succeeded();
      assertThat(kilnDiagnostics(compilation)).isEmpty();
    }
  }

  @Test
  void aStepCounterThatIsNotAnIntegerScalarOrHasNoStatisticsIsAMismatch() throws Exception {
    Compilation asFloat = compile(BN_NET, file("{" + BN_ENTRIES
        + ",\"bn.num_batches_tracked\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[48,52]}}", 52));
    assertThat(asFloat).failed();
    assertThat(asFloat).hadErrorContaining("[kiln.weights] @Weights file w.safetensors does not fit the network: "
        + "tensor \"bn.num_batches_tracked\" has dtype F32 and shape [], expected an integer scalar (PyTorch "
        + "writes I64, shape [])").inFile(asFloat.sourceFiles().get(0)).onLine(WEIGHTS_LINE);

    Compilation onDense = compile(BN_NET, file("{" + BN_ENTRIES
        + ",\"d.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[48,56]}}", 56));
    assertThat(onDense).failed();
    assertThat(onDense).hadErrorContaining("[kiln.weights] @Weights file w.safetensors does not fit the network: "
        + "tensor \"d.num_batches_tracked\" is not in network Net (it has [d.weight, bn.weight, bn.bias, "
        + "bn.running_mean, bn.running_var])");
  }

  /** LSTM(2) on [3, 2]: PyTorch's nn.LSTM state_dict has two biases, Kiln keeps their sum. */
  private static final String LSTM_NET = """
      @Network(input = {3, 2}, loss = Loss.MEAN_SQUARED_ERROR)
      @Weights("w.safetensors")
      interface Net {
        @LSTM(units = 2)
        Layer lstm();
      }
      """;

  private static final String LSTM_WEIGHTS =
      "\"lstm.weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,64]},"
          + "\"lstm.weight_hh_l0\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[64,128]},"
          + "\"lstm.bias_ih_l0\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[128,160]}";

  @Test
  void anLstmStateDictCompilesWithBothBiasesAndNamesAMissingOne() throws Exception {
    Compilation fitting = compile(LSTM_NET, file("{" + LSTM_WEIGHTS
        + ",\"lstm.bias_hh_l0\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[160,192]}}", 192));
    assertThat(fitting).succeeded();
    assertThat(kilnDiagnostics(fitting)).isEmpty();

    Compilation missing = compile(LSTM_NET, file("{" + LSTM_WEIGHTS + "}", 160));
    assertThat(missing).failed();
    assertThat(missing).hadErrorContaining("[kiln.weights] @Weights file w.safetensors does not fit the network: "
        + "tensor \"lstm.bias_hh_l0\" is missing").inFile(missing.sourceFiles().get(0)).onLine(WEIGHTS_LINE);

    Compilation kerasName = compile(LSTM_NET, file("{" + LSTM_WEIGHTS
        + ",\"lstm.bias_hh_l0\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[160,192]}"
        + ",\"lstm.bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[192,224]}}", 224));
    assertThat(kerasName).failed();
    assertThat(kerasName).hadErrorContaining("tensor \"lstm.bias\" is not in network Net (it has "
        + "[lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0])");
  }

  // ------------------------------------------------------------------ helpers

  /** A safetensors file: the length prefix, {@code header} unpadded, then {@code dataBytes} zero bytes. */
  private static byte[] file(String header, int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(json.length).put(json).array();
  }

  /** The problem the runtime's reader reports for {@code bytes}, without the file name. */
  private String runtimeProblem(byte[] bytes) throws Exception {
    Path path = Files.write(dir.resolve("runtime.safetensors"), bytes);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> SafeTensors.read(path));
    assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
    return e.getMessage().substring(path.toString().length() + 2);
  }

  /** Compiling {@link #NET} against {@code bytes} fails with exactly that problem, on the @Weights value. */
  private static void assertRejected(byte[] bytes, String problem) throws Exception {
    Compilation compilation = compile(NET, bytes);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(
        "[kiln.weights.format] @Weights file w.safetensors cannot be loaded: " + problem)
        .inFile(compilation.sourceFiles().get(0)).onLine(WEIGHTS_LINE);
    assertThat(kilnDiagnostics(compilation)).hasSize(1);
  }

  private static Compilation compile(String body, byte[] weights) throws Exception {
    Path dir = Files.createTempDirectory("kiln-weights");
    Files.createDirectories(dir.resolve("test"));
    Files.write(dir.resolve("test/w.safetensors"), weights);
    return compileWithClasspathEntry(body, dir.toFile());
  }

  private static Compilation compileWithClasspathEntry(String body, File entry) {
    List<File> classpath = new ArrayList<>();
    classpath.add(entry);
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classpath.add(new File(e));
    }
    JavaFileObject source = JavaFileObjects.forSourceString("test.Net", HEADER + body);
    return Compiler.javac().withProcessors(new KilnProcessor()).withClasspath(classpath).compile(source);
  }

  private static List<String> kilnDiagnostics(Compilation compilation) {
    List<String> out = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.diagnostics()) {
      String message = d.getMessage(Locale.ROOT);
      if (message.contains("[kiln.")) {
        out.add(d.getKind() + ": " + message);
      }
    }
    return out;
  }
}
