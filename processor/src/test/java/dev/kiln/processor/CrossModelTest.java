package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.Model;
import java.util.Locale;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Annotation values that name another generated model's constants: javac cannot resolve them until
 * that model exists, so the network waits for the next round instead of failing.
 */
class CrossModelTest {
  private static final String HEADER = "package test; import dev.kiln.annotations.*; import dev.kiln.runtime.Layer;\n";

  private static JavaFileObject source(String name, String body) {
    return JavaFileObjects.forSourceString(name, HEADER + body);
  }

  private static final JavaFileObject A = source("test.A", """
      @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
      interface A {
        @Dense(units = 5)
        Layer out();
      }
      """);

  @Test
  void networkInputFromAnotherGeneratedModelsConstant() {
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(A, source("test.B", """
        @Network(input = AModel.OUTPUT_SIZE, loss = Loss.MEAN_SQUARED_ERROR)
        interface B {
          @Dense(units = AModel.INPUT_SIZE)
          Layer hidden();

          @Dense(units = 1)
          Layer out();
        }
        """));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.BModel").contentsAsUtf8String()
        .contains("public static final int INPUT_SIZE = 5;");
    Model b = (Model) new CompiledClasses(compilation).construct("test.BModel", 4);
    // hidden: 5 x 3 + 3; out: 3 x 1 + 1.
    assertEquals(22, b.core().parameters().length);
  }

  @Test
  void aChainOfModelsResolvesOverSeveralRounds() {
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(
        source("test.C", """
            @Network(input = BModel.OUTPUT_SIZE, loss = Loss.MEAN_SQUARED_ERROR)
            interface C {
              @Dense(units = 1)
              Layer out();
            }
            """),
        source("test.B", """
            @Network(input = AModel.OUTPUT_SIZE, loss = Loss.MEAN_SQUARED_ERROR)
            interface B {
              @Dense(units = 7)
              Layer out();
            }
            """), A);
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.CModel").contentsAsUtf8String()
        .contains("public static final int INPUT_SIZE = 7;");
  }

  @Test
  void aConstantThatNeverResolvesIsJavacsErrorAlone() {
    JavaFileObject b = source("test.B", """
        @Network(input = Missing.SIZE, loss = Loss.MEAN_SQUARED_ERROR)
        interface B {
          @Dense(units = 1)
          Layer out();
        }
        """);
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(b);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("cannot find symbol").inFile(b).onLine(2);
    assertThat(compilation.diagnostics().stream().filter(d -> d.getMessage(Locale.ROOT).contains("[kiln."))
        .toList()).isEmpty();
  }

  @Test
  void aMissingRequiredElementIsJavacsErrorAlone() {
    JavaFileObject b = source("test.B", """
        @Network(input = 2)
        interface B {
          @Dropout
          Layer drop();

          @Dense(units = 1)
          Layer out();
        }
        """);
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(b);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("loss").inFile(b).onLine(2);
    assertThat(compilation).hadErrorContaining("value").inFile(b).onLine(4);
    assertThat(compilation.diagnostics().stream().filter(d -> d.getMessage(Locale.ROOT).contains("[kiln."))
        .toList()).isEmpty();
  }
}
