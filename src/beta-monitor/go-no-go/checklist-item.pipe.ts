import { PipeTransform } from '@nestjs/common';
import { CHECKLIST_ITEMS, ChecklistItem } from 'src/beta-monitor/go-no-go/go-no-go';
import { AppError } from 'src/http/app-error';

const isItem = (value: string): value is ChecklistItem => (CHECKLIST_ITEMS as readonly string[]).includes(value);

/** Checklist items in paths: an unknown one is a 404 naming the known ones. */
export class ChecklistItemPipe implements PipeTransform<string, ChecklistItem> {
  transform(value: string): ChecklistItem {
    if (!isItem(value))
      throw AppError.notFound(
        'CHECKLIST_ITEM_NOT_FOUND',
        `No checklist item ${value}; the items are ${CHECKLIST_ITEMS.join(', ')}.`,
      );
    return value;
  }
}
