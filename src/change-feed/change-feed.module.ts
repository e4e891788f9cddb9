import { Global, Module } from '@nestjs/common';
import { ChangeFeedService } from 'src/change-feed/change-feed.service';

@Global()
@Module({ providers: [ChangeFeedService], exports: [ChangeFeedService] })
export class ChangeFeedModule {}
