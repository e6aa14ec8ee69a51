/* list.h — intrusive circular doubly linked lists. Callers provide locking. */
#pragma once
#include <wisp/compiler.h>

struct list_node {
    struct list_node *next, *prev;
};

#define LIST_INIT(name) \
    { \
        &(name), &(name) \
    }

static inline void list_init(struct list_node *head) { head->next = head->prev = head; }

static inline bool list_empty(const struct list_node *head) { return head->next == head; }

static inline void list_insert_between_(struct list_node *n, struct list_node *prev,
                                        struct list_node *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}

static inline void list_push_back(struct list_node *head, struct list_node *n)
{
    list_insert_between_(n, head->prev, head);
}

static inline void list_push_front(struct list_node *head, struct list_node *n)
{
    list_insert_between_(n, head, head->next);
}

static inline void list_remove(struct list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline struct list_node *list_pop_front(struct list_node *head)
{
    if (list_empty(head))
        return NULL;
    struct list_node *n = head->next;
    list_remove(n);
    return n;
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_for_each(pos, head) \
    for (struct list_node *pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
    for (struct list_node *pos = (head)->next, *tmp = pos->next; pos != (head); \
         pos = tmp, tmp = pos->next)
