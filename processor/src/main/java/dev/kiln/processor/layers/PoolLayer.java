package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import dev.kiln.annotations.AvgPool2D;
import dev.kiln.annotations.MaxPool2D;
import dev.kiln.annotations.Padding;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code @MaxPool2D} and {@code @AvgPool2D} on channels-last images (Keras's MaxPooling2D and
 * AveragePooling2D): strides default to the pool size; SAME pads bottom/right first, and an average
 * counts only the positions inside the image. Max pooling keeps each output's argmax (an int
 * buffer) for its backward pass. Kernels: {@code runtime/.../kernels/Pooling}.
 *
 * @param max true for max pooling, false for average pooling
 * @param strides empty for the pool size
 */
public record PoolLayer(String name, Site site, List<String> inputs, boolean max, int[] poolSize, int[] strides,
    Padding padding) implements LayerSpec {
  public PoolLayer {
    inputs = List.copyOf(inputs);
    poolSize = poolSize.clone();
    strides = strides.clone();
  }

  static PoolLayer readMax(LayerDeclaration d) {
    MaxPool2D a = d.annotation(MaxPool2D.class);
    return new PoolLayer(d.name(), d.site(), d.inputs(), true, a.poolSize(), a.strides(), a.padding());
  }

  static PoolLayer readAverage(LayerDeclaration d) {
    AvgPool2D a = d.annotation(AvgPool2D.class);
    return new PoolLayer(d.name(), d.site(), d.inputs(), false, a.poolSize(), a.strides(), a.padding());
  }

  private String annotation() {
    return max ? "MaxPool2D" : "AvgPool2D";
  }

  @Override
  public String typeName() {
    return max ? "MaxPooling2D" : "AveragePooling2D";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    Windows.checkPair(site, annotation(), "poolSize", poolSize, diagnostics);
    if (strides.length > 0) {
      Windows.checkPair(site, annotation(), "strides", strides, diagnostics);
    }
  }

  private int[] stridePair() {
    return strides.length == 0 ? Windows.pair(poolSize) : Windows.pair(strides);
  }

  /** {out h, out w, pad top, pad left}. */
  private int[] geometry(Shape image) {
    int[] p = Windows.pair(poolSize);
    int[] s = stridePair();
    Windows.Axis y = Windows.Axis.of(image.dim(0), p[0], s[0], padding);
    Windows.Axis x = Windows.Axis.of(image.dim(1), p[1], s[1], padding);
    return new int[] {y.out(), x.out(), y.padBefore(), x.padBefore()};
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape image = Windows.image(site, annotation(), name, in, diagnostics);
    if (image == null) {
      return null;
    }
    int[] g = geometry(image);
    if (g[0] <= 0 || g[1] <= 0) {
      diagnostics.error(site, "poolSize", Message.POOL_OUTPUT, annotation(), name, image,
          Windows.text(Windows.pair(poolSize)), Windows.text(stridePair()), padding, g[0], g[1]);
      return null;
    }
    return Shape.of(g[0], g[1], image.dim(2));
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      private String geometry(LayerContext layer) {
        return layer.member("Geometry");
      }

      @Override
      public List<FieldSpec> constants(LayerContext layer) {
        Shape image = layer.inShape(0);
        int[] g = PoolLayer.this.geometry(image);
        int[] p = Windows.pair(poolSize);
        int[] s = stridePair();
        return List.of(FieldSpec.builder(RuntimeNames.POOLING, geometry(layer), Modifier.PRIVATE, Modifier.STATIC,
                Modifier.FINAL)
            .addJavadoc("$L: $L -> $L, window $Lx$L, strides $Lx$L, padding top $L, left $L.\n", name, image,
                layer.layer().outputShape(), p[0], p[1], s[0], s[1], g[2], g[3])
            .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", RuntimeNames.POOLING, image.dim(0),
                image.dim(1), image.dim(2), p[0], p[1], s[0], s[1], g[2], g[3], g[0], g[1])
            .build());
      }

      @Override
      public List<Buffer> buffers(LayerContext layer) {
        List<Buffer> buffers = new ArrayList<>(LayerEmitter.super.buffers(layer));
        if (max) {
          buffers.add(Buffer.intsPerSample(layer.member("Argmax"), layer.width()));
        }
        return buffers;
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        return max
            ? CodeBlock.of("$L.maxForward(n, $L, $L, $L);\n", geometry(layer), layer.in(0), layer.out(),
                layer.member("Argmax"))
            : CodeBlock.of("$L.averageForward(n, $L, $L);\n", geometry(layer), layer.in(0), layer.out());
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        return layer.inputGradient(0, target -> max
            ? CodeBlock.of("$L.maxBackward(n, $L, $L, $L);\n", geometry(layer), layer.grad(), layer.member("Argmax"),
                target)
            : CodeBlock.of("$L.averageBackward(n, $L, $L);\n", geometry(layer), layer.grad(), target));
      }
    };
  }

  /** A maximum over zeros is zero: max pooling keeps its input's zeros, averaging mostly does not. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return max && inputsHaveZeros.get(0);
  }
}
