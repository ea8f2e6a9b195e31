import { Inject } from '@nestjs/common';
import { TRIBUTARY_ADMIN, TRIBUTARY_PRODUCER } from './tokens';

/** Injects the module's shared Producer (connected on module init, flushed and closed on shutdown). */
export const InjectProducer = (): ParameterDecorator & PropertyDecorator => Inject(TRIBUTARY_PRODUCER);

/** Injects the module's shared Admin. */
export const InjectAdmin = (): ParameterDecorator & PropertyDecorator => Inject(TRIBUTARY_ADMIN);
