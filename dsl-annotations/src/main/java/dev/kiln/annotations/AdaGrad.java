package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** AdaGrad: r += g^2; w -= learningRate * g / (sqrt(r) + epsilon). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AdaGrad {
  /** {@return the learning rate, >= 0} */
  double learningRate() default 0.01;

  /** {@return the epsilon added to the denominator, > 0} */
  double epsilon() default 1e-7;
}
