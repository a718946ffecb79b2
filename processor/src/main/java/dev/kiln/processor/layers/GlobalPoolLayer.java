package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.Diagnostics;
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

/**
 * {@code @GlobalAveragePool2D} and {@code @GlobalMaxPool2D}: each channel's mean or maximum over
 * height and width, [H, W, C] to [C]. Max keeps its argmax for the backward pass.
 */
public record GlobalPoolLayer(String name, Site site, List<String> inputs, boolean max) implements LayerSpec {
  public GlobalPoolLayer {
    inputs = List.copyOf(inputs);
  }

  static GlobalPoolLayer readAverage(LayerDeclaration d) {
    return new GlobalPoolLayer(d.name(), d.site(), d.inputs(), false);
  }

  static GlobalPoolLayer readMax(LayerDeclaration d) {
    return new GlobalPoolLayer(d.name(), d.site(), d.inputs(), true);
  }

  @Override
  public String typeName() {
    return max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D";
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape image = Windows.image(site, max ? "GlobalMaxPool2D" : "GlobalAveragePool2D", name, in, diagnostics);
    return image == null ? null : Shape.of(image.dim(2));
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public List<Buffer> buffers(LayerContext layer) {
        List<Buffer> buffers = new ArrayList<>(LayerEmitter.super.buffers(layer));
        if (max) {
          buffers.add(Buffer.intsPerSample(layer.member("Argmax"), layer.width()));
        }
        return buffers;
      }

      private long positions(LayerContext layer) {
        return layer.inShape(0).positions();
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        return max
            ? CodeBlock.of("$T.globalMax(n, $L, $L, $L, $L, $L);\n", RuntimeNames.POOLING, positions(layer),
                layer.features(), layer.in(0), layer.out(), layer.member("Argmax"))
            : CodeBlock.of("$T.globalAverage(n, $L, $L, $L, $L);\n", RuntimeNames.POOLING, positions(layer),
                layer.features(), layer.in(0), layer.out());
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        return layer.inputGradient(0, target -> max
            ? CodeBlock.of("$T.globalMaxBackward(n, $L, $L, $L, $L, $L);\n", RuntimeNames.POOLING, positions(layer),
                layer.features(), layer.grad(), layer.member("Argmax"), target)
            : CodeBlock.of("$T.globalAverageBackward(n, $L, $L, $L, $L);\n", RuntimeNames.POOLING, positions(layer),
                layer.features(), layer.grad(), target));
      }
    };
  }

  /** A maximum over zeros is zero: max pooling keeps its input's zeros, averaging mostly does not. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return max && inputsHaveZeros.get(0);
  }
}
