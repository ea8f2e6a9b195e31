import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { TributaryClient, TributaryModule } from '@tributary/nestjs';
import { HealthController } from './health.controller';
import { OrderStore } from './order-store';
import { OrdersController } from './orders.controller';
import { OrdersListener } from './orders.listener';
import { OrdersRpc } from './orders.rpc';
import { ORDERS_CLIENT } from './tokens';
import { Topics } from './topics';

/** brokers from the environment (TRIBUTARY_BROKERS=host:port,host:port) through @nestjs/config */
const brokersFrom = (config: ConfigService): string[] => config.getOrThrow<string>('TRIBUTARY_BROKERS').split(',');

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule,
    TributaryModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ brokers: brokersFrom(config), clientId: 'nest-orders' }),
    }),
  ],
  controllers: [OrdersController, OrdersRpc, HealthController],
  providers: [
    OrderStore,
    OrdersListener,
    Topics,
    {
      provide: ORDERS_CLIENT,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        new TributaryClient({ brokers: brokersFrom(config), clientId: `nest-orders-${process.pid}`, replyTimeoutMs: 10_000 }),
    },
  ],
})
export class AppModule {}
